//! The schema: each migration runs once, in order.

/// Each migration runs once, in order; `PRAGMA user_version` says how many have run.
pub(super) const MIGRATIONS: &[&str] = &[
    "CREATE TABLE policy_history (
        id INTEGER PRIMARY KEY,
        version INTEGER NOT NULL,
        organisation TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        source TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        bytes BLOB NOT NULL
    );
    CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE packages (name TEXT PRIMARY KEY, json TEXT NOT NULL);
    CREATE TABLE scans (
        id INTEGER PRIMARY KEY,
        started_at INTEGER NOT NULL,
        trigger TEXT NOT NULL,
        policy_version INTEGER NOT NULL,
        mode TEXT NOT NULL,
        packages INTEGER NOT NULL,
        violations INTEGER NOT NULL,
        excepted INTEGER NOT NULL,
        steps INTEGER NOT NULL,
        failures INTEGER NOT NULL,
        duration_us INTEGER NOT NULL
    );
    CREATE TABLE findings (
        package TEXT PRIMARY KEY,
        rule TEXT,
        since INTEGER NOT NULL,
        enforced_since INTEGER,
        last_seen INTEGER NOT NULL,
        warned TEXT,
        json TEXT NOT NULL
    );
    CREATE TABLE enforcement_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        scan_id INTEGER,
        package TEXT NOT NULL,
        step TEXT NOT NULL,
        rule TEXT,
        result TEXT NOT NULL,
        error TEXT
    );
    CREATE TABLE ownership (
        package TEXT NOT NULL,
        block TEXT NOT NULL,
        since INTEGER NOT NULL,
        rule TEXT,
        PRIMARY KEY (package, block)
    );
    CREATE TABLE journal (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, step TEXT NOT NULL);
    CREATE TABLE outbox (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL);",
    // 2: signed policies. The exact envelope bytes beside the payload, who signed, and the chain
    // of trusted roots.
    "ALTER TABLE policy_history ADD COLUMN envelope BLOB;
    ALTER TABLE policy_history ADD COLUMN signers TEXT;
    CREATE TABLE roots (version INTEGER PRIMARY KEY, bytes BLOB NOT NULL, received_at INTEGER NOT NULL);",
    // 3: crash recovery adopts only what the agent placed. Each journalled step carries the
    // package's state before it and is marked done once the platform answered.
    "ALTER TABLE journal ADD COLUMN before TEXT;
    ALTER TABLE journal ADD COLUMN done INTEGER NOT NULL DEFAULT 0;",
    // 4: compliance records (issue 15). The outbox becomes the record queue: each record keeps
    // its sequence number for good (AUTOINCREMENT never reuses one, even after every row was
    // delivered and deleted), a unique id for de-duplication, its class for the bounded queue, and
    // the context it was written in (policy, device, agent). Each sink keeps how far it has
    // acknowledged and when it may be tried again. Events an older agent left in its outbox are
    // kept as records, with the policy active at the upgrade and `agent` saying they are older
    // (their device id is filled in when read, from the last scan's).
    "CREATE TABLE records (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        uid TEXT NOT NULL UNIQUE,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        class INTEGER NOT NULL,
        device TEXT NOT NULL,
        organisation TEXT,
        policy_version INTEGER,
        policy_sha256 TEXT,
        agent TEXT NOT NULL,
        data TEXT NOT NULL
    );
    WITH old AS (SELECT o.*, lower(hex(randomblob(16))) AS h FROM outbox o)
    INSERT INTO records (uid, at, kind, class, device, organisation, policy_version, policy_sha256, agent, data)
    SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-8' || substr(h, 18, 3) || '-' || substr(h, 21, 12),
           old.at,
           CASE old.kind WHEN 'finding.closed' THEN 'finding.resolved' ELSE old.kind END,
           CASE old.kind WHEN 'finding.opened' THEN 2 ELSE 1 END,
           '',
           p.organisation, p.version, p.sha256, 'older', old.body
    FROM old LEFT JOIN policy_history p
      ON p.id = (SELECT CAST(value AS INTEGER) FROM state WHERE key = 'active_policy')
    ORDER BY old.id;
    DROP TABLE outbox;
    CREATE TABLE deliveries (
        sink TEXT PRIMARY KEY,
        acked INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        retry_at INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        last_ok INTEGER,
        delivered INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX records_by_class ON records (class, seq);",
];
