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
];
