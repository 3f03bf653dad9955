//! The compliance store: one SQLite database (WAL) holding what the agent knows and must not lose.
//!
//! It keeps the policy history (exact bytes), scans, current findings and since when, the
//! enforcement log, which blocks the agent placed (ownership), a journal of steps in flight, and an
//! outbox of events for upload. A scan is recorded in one transaction. Steps are journalled before
//! they touch the device, so a process killed between acting and recording leaves a journal that
//! the next run reconciles with the device's real state.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::Error;
use crate::digest::sha256_hex;
use crate::enforcement::{Block, Finding, PriorFinding, Step, StepKind};
use crate::inventory::{Device, Inventory, Package};
use crate::policy::{Action, Mode, Policy};
use crate::time::Timestamp;

/// How many scans, log rows, outbox events and old policies are kept: the database stays bounded
/// on a phone that runs for years.
pub mod retention {
    /// Scans kept.
    pub const SCANS: i64 = 1_000;
    /// Enforcement log rows kept.
    pub const LOG: i64 = 10_000;
    /// Outbox events kept (oldest dropped first when upload lags).
    pub const OUTBOX: i64 = 10_000;
    /// Policy versions kept besides the active one.
    pub const POLICIES: i64 = 20;
}

/// The names of the key-value state the store keeps. Only the store and the sync address them.
pub mod keys {
    /// The newest signed time accepted (issue time of a policy or root), as Unix seconds.
    pub const SIGNED_TIME: &str = "time_floor";
    /// The time the last scan judged by (bounded by the clock-problem margin), as Unix seconds.
    pub const LAST_SCAN: &str = "last_scan_unix";
    /// Every policy key id that signed an accepted policy, comma-separated.
    pub const POLICY_SIGNERS: &str = "policy_signers";
    /// The policy-version floor.
    pub const POLICY_FLOOR: &str = "policy_floor";
    /// When the root chain was last walked.
    pub const LAST_ROOT_CHECK: &str = "last_root_check_unix";
    /// The clock problem the last scan or sync saw, if any.
    pub const CLOCK_PROBLEM: &str = "clock_problem";
    /// Where a damaged database was moved, and why.
    pub const RECOVERED: &str = "store_recovered";
}

/// Each migration runs once, in order; `PRAGMA user_version` says how many have run.
const MIGRATIONS: &[&str] = &[
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

/// A signed policy to store: the envelope exactly as received and its verified payload.
pub struct SignedPolicy<'a> {
    /// The verified payload (the policy document's bytes as signed).
    pub payload: &'a [u8],
    /// The envelope exactly as received.
    pub envelope: &'a [u8],
    /// Its version.
    pub version: u64,
    /// Its organisation.
    pub organisation: &'a str,
    /// Key ids that signed it.
    pub signers: &'a [String],
    /// Where it came from.
    pub source: &'a str,
}

/// Everything one successful sync changes, written in one transaction.
pub struct SyncCommit<'a> {
    /// The update's single "now".
    pub now: Timestamp,
    /// Newly trusted roots: (version, exact bytes), ascending.
    pub roots: &'a [(u64, Vec<u8>)],
    /// A new policy, if one was accepted.
    pub policy: Option<SignedPolicy<'a>>,
    /// The policy-version floor after this sync.
    pub policy_floor: u64,
    /// Raises the time floor (the latest accepted `issued_at`).
    pub time_floor: Option<Timestamp>,
    /// The entity tag of the policy URL, to send next time.
    pub etag: Option<(&'a str, &'a str)>,
    /// Whether the root chain was checked during this sync.
    pub root_checked: bool,
}

/// A policy as the store holds it.
#[derive(Clone, Debug)]
pub struct StoredPolicy {
    /// Row id in the history.
    pub id: i64,
    /// The exact bytes received (what was signed), never a re-serialisation.
    pub bytes: Vec<u8>,
    /// Their SHA-256.
    pub sha256: String,
    /// Where it came from (a file path or URL).
    pub source: String,
    /// When it was stored.
    pub received_at: Timestamp,
    /// The parsed document.
    pub policy: Policy,
}

/// One scan as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScanRow {
    /// Row id.
    pub id: i64,
    /// When it started.
    pub started_at: Timestamp,
    /// What started it (`full`, `install`, `demo`…).
    pub trigger: String,
    /// The policy version evaluated.
    pub policy_version: u64,
    /// Monitor or enforce.
    pub mode: String,
    /// Packages evaluated.
    pub packages: i64,
    /// Violations found.
    pub violations: i64,
    /// Packages permitted by an exception.
    pub excepted: i64,
    /// Steps taken on the device.
    pub steps: i64,
    /// Steps that failed.
    pub failures: i64,
    /// How long it took, in microseconds.
    pub duration_us: i64,
}

/// A block the agent placed and holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OwnedBlock {
    /// The package.
    pub package: String,
    /// Suspend or hide.
    pub block: Block,
    /// Since when.
    pub since: Timestamp,
    /// The rule it was placed for.
    pub rule: Option<String>,
}

/// One row of the enforcement log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogRow {
    /// When.
    pub at: Timestamp,
    /// The package.
    pub package: String,
    /// The step (`suspend`, `unsuspend`…).
    pub step: String,
    /// The rule behind it.
    pub rule: Option<String>,
    /// `ok`, `failed` or `recovered`.
    pub result: String,
    /// What the platform said, on failure.
    pub error: Option<String>,
}

/// An event waiting for upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutboxEvent {
    /// Row id (acknowledge up to it once uploaded).
    pub id: i64,
    /// When.
    pub at: Timestamp,
    /// `finding.opened`, `finding.closed`, `enforcement`, `recovery`.
    pub kind: String,
    /// The event as JSON.
    pub body: String,
}

/// Everything one scan produced, recorded in one transaction.
pub struct ScanRecord<'a> {
    /// When the scan started (the single "now" of the scan).
    pub started_at: Timestamp,
    /// What started it.
    pub trigger: &'a str,
    /// The policy version evaluated.
    pub policy_version: u64,
    /// The mode in force.
    pub mode: Mode,
    /// The device.
    pub device: &'a Device,
    /// The enrolment the scan evaluated under (kept so `explain` judges the same way).
    pub enrolment: &'a crate::Enrolment,
    /// The packages scanned (the whole device for a full scan).
    pub packages: &'a [Package],
    /// Whether `packages` is the whole device.
    pub full: bool,
    /// Packages listed but unreadable this time: their findings stay as they were.
    pub unreadable: &'a [crate::inventory::Unreadable],
    /// The findings.
    pub findings: &'a [Finding],
    /// Each step taken and its result.
    pub results: &'a [(Step, Result<(), String>)],
    /// Blocks to forget without acting.
    pub stale_ownership: &'a [(String, Block)],
    /// Duration in microseconds.
    pub duration_us: i64,
    /// How far this scan moves the time floor: the time it judged by, but never further ahead of
    /// the signed times than the clock-problem margin (so a clock set years ahead cannot freeze
    /// the device's syncs).
    pub floor_time: Timestamp,
    /// The clock problem this scan saw, in one sentence; none clears a recorded one.
    pub clock_problem: Option<String>,
}

/// A journalled step, the state of its package before it, and whether the platform answered.
struct JournalEntry {
    step: Step,
    /// (suspended, hidden) before the step; none for a row written by an older agent.
    before: Option<(bool, bool)>,
    done: bool,
}

/// The compliance store.
pub struct Store {
    conn: Connection,
    path: String,
    /// The active policy compiled for evaluation, by its history row: parsed, validated and
    /// indexed once per activation, not once per scan (38 ms at 100,000 rules; a catch-up scans
    /// every changed package on its own).
    compiled: Option<(i64, std::sync::Arc<crate::engine::Engine>)>,
}

impl Store {
    /// Opens (creating and migrating if needed) the store at `path`.
    ///
    /// A database that fails SQLite's integrity check is moved aside (kept, with its WAL, for the
    /// helpdesk) and a fresh one is started from the last-good file beside it, verified again;
    /// [`Store::recovered`] then names the damaged file. Nothing of its enforcement record is
    /// taken over, so no block on the device is lifted until the agent owns it again.
    pub fn open(path: &Path) -> Result<Store, Error> {
        let name = path.display().to_string();
        match Store::open_checked(path) {
            Ok(store) => Ok(store),
            Err(Err(e)) => Err(e),
            Err(Ok(damage)) => {
                let now = Timestamp::now();
                let moved = crate::recovery::move_aside(path, now).map_err(|reason| {
                    Error::StoreContents {
                        path: name.clone(),
                        reason: format!("it is damaged ({damage}) and {reason}"),
                    }
                })?;
                log::error!(
                    "the compliance store {name} is damaged ({damage}); moved to {}",
                    moved.display()
                );
                let mut store = Store::open_checked(path).map_err(|e| match e {
                    Err(e) => e,
                    Ok(reason) => Error::StoreContents {
                        path: name.clone(),
                        reason,
                    },
                })?;
                let restored = store.restore_last_good(now);
                let note = format!(
                    "{now}: the database failed its integrity check ({damage}) and was moved to {}; {}",
                    moved.display(),
                    match &restored {
                        Ok(true) => "the last verified policy was restored from the last-good file"
                            .to_string(),
                        Ok(false) =>
                            "no last-good file was found: the next sync starts from the pinned root"
                                .to_string(),
                        Err(e) => format!("the last-good file was not used: {e}"),
                    }
                );
                store.set_state(keys::RECOVERED, &note)?;
                Ok(store)
            }
        }
    }

    /// Opens and checks; `Err(Ok(reason))` means the database is damaged.
    fn open_checked(path: &Path) -> Result<Store, Result<String, Error>> {
        let name = path.display().to_string();
        let damaged_or = |source: rusqlite::Error| {
            if crate::recovery::is_damage(&source) {
                Ok(source.to_string())
            } else {
                Err(Error::Store {
                    path: name.clone(),
                    source,
                })
            }
        };
        let conn = Connection::open(path).map_err(damaged_or)?;
        let check: String = conn
            .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
            .map_err(damaged_or)?;
        if check != "ok" {
            return Err(Ok(check));
        }
        Store::init(conn, name).map_err(|e| match e {
            Error::Store { source, .. } if crate::recovery::is_damage(&source) => {
                Ok(source.to_string())
            }
            e => Err(e),
        })
    }

    /// The clock problem the last scan saw, if any.
    pub fn clock_problem(&self) -> Result<Option<String>, Error> {
        self.state(keys::CLOCK_PROBLEM)
    }

    /// The note left when a damaged database was moved aside at open, if one was.
    pub fn recovered(&self) -> Result<Option<String>, Error> {
        self.state(keys::RECOVERED)
    }

    /// Writes the last-good file beside the database (nothing for a store in memory).
    fn write_last_good(&self) -> Result<(), Error> {
        if self.path == ":memory:" {
            return Ok(());
        }
        use base64::Engine as _;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let roots = self.query("SELECT bytes FROM roots ORDER BY version", [], |r| {
            r.get::<_, Vec<u8>>(0)
        })?;
        let active: Option<(Option<Vec<u8>>, String)> = self
            .conn
            .query_row(
                "SELECT p.envelope, p.source FROM policy_history p
                 JOIN state s ON s.key = 'active_policy' AND p.id = CAST(s.value AS INTEGER)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|s| self.err(s))?;
        let mut signers: Vec<String> = self.accepted_policy_signers()?.into_iter().collect();
        signers.sort();
        let last = crate::recovery::LastGood {
            format: 1,
            roots: roots.iter().map(|r| b64(r)).collect(),
            envelope: active.as_ref().and_then(|(e, _)| e.as_deref().map(b64)),
            source: active.map(|(_, s)| s).unwrap_or_default(),
            policy_floor: self.state_u64(keys::POLICY_FLOOR)?,
            signed_time: self.signed_time()?.unix(),
            signers,
        };
        crate::recovery::write_last_good(Path::new(&self.path), &last).map_err(|reason| {
            Error::StoreContents {
                path: self.path.clone(),
                reason: format!("the last-good file could not be written: {reason}"),
            }
        })
    }

    /// Restores roots, the policy and the floors from the last-good file into this (fresh)
    /// store. `Ok(false)` when there is no file.
    fn restore_last_good(&mut self, now: Timestamp) -> Result<bool, Error> {
        let Some(r) = crate::recovery::read_last_good(Path::new(&self.path))? else {
            return Ok(false);
        };
        let policy = r.policy.as_ref().map(|p| SignedPolicy {
            payload: &p.payload,
            envelope: &p.envelope,
            version: p.version,
            organisation: &p.organisation,
            signers: &p.signers,
            source: &p.source,
        });
        self.commit_sync(&SyncCommit {
            now,
            roots: &r.roots,
            policy,
            policy_floor: r.policy_floor,
            time_floor: Some(Timestamp::from_unix(r.signed_time)),
            etag: None,
            root_checked: false,
        })?;
        if !r.signers.is_empty() {
            let mut all: Vec<String> = self.accepted_policy_signers()?.into_iter().collect();
            all.extend(r.signers);
            all.sort();
            all.dedup();
            self.set_state(keys::POLICY_SIGNERS, &all.join(","))?;
        }
        // The restore is not a sync: status must not show one.
        self.conn
            .execute("DELETE FROM state WHERE key = 'last_sync_ok_unix'", [])
            .map_err(|s| self.err(s))?;
        Ok(true)
    }

    /// A store in memory, for tests and one-off evaluations.
    pub fn in_memory() -> Result<Store, Error> {
        let conn = Connection::open_in_memory().map_err(|source| Error::Store {
            path: ":memory:".into(),
            source,
        })?;
        Store::init(conn, ":memory:".into())
    }

    fn init(conn: Connection, path: String) -> Result<Store, Error> {
        let mut store = Store {
            conn,
            path,
            compiled: None,
        };
        store.setup().map_err(|source| store.err(source))?;
        let version: i64 = store
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|s| store.err(s))?;
        if version > MIGRATIONS.len() as i64 {
            return Err(Error::StoreContents {
                path: store.path.clone(),
                reason: format!(
                    "it was written by a newer agent (schema {version}; this build knows {})",
                    MIGRATIONS.len()
                ),
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = store.conn.transaction().map_err(|source| Error::Store {
                path: store.path.clone(),
                source,
            })?;
            tx.execute_batch(sql)
                .and_then(|_| tx.pragma_update(None, "user_version", (i + 1) as i64))
                .and_then(|_| tx.commit())
                .map_err(|source| Error::Store {
                    path: store.path.clone(),
                    source,
                })?;
        }
        Ok(store)
    }

    fn setup(&mut self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // WAL keeps readers (the helpdesk report) off the writer's back; FULL sync because a
        // phone that loses power must not lose a recorded block.
        let _mode: String = self
            .conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        self.conn
            .execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
    }

    fn err(&self, source: rusqlite::Error) -> Error {
        Error::Store {
            path: self.path.clone(),
            source,
        }
    }

    /// The database file.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, Error> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|s| self.err(s))
    }

    /// Validates and stores a policy document and makes it the active one, in one transaction.
    /// Returns `false` when these exact bytes are already active. A lower version than the active
    /// one, or different bytes under the same version, is refused: nothing stored is downgraded.
    pub fn activate_policy(
        &mut self,
        bytes: &[u8],
        source: &str,
        now: Timestamp,
    ) -> Result<bool, Error> {
        let policy = Policy::from_json(bytes)?;
        let sha = sha256_hex(bytes);
        if let Some(active) = self.active_policy()? {
            if active.sha256 == sha {
                return Ok(false);
            }
            if policy.version <= active.policy.version {
                return Err(Error::NotNewer {
                    version: policy.version,
                    source_name: source.to_string(),
                    active: active.policy.version,
                    active_source: active.source,
                });
            }
        }
        let tx = self.conn.transaction().map_err(|s| Error::Store {
            path: self.path.clone(),
            source: s,
        })?;
        let result = (|| {
            tx.execute(
                "INSERT INTO policy_history (version, organisation, sha256, source, received_at, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![policy.version as i64, policy.organisation, sha, source, now.unix(), bytes],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute(
                "INSERT OR REPLACE INTO state (key, value) VALUES ('active_policy', ?1)",
                params![id.to_string()],
            )?;
            tx.execute(
                "DELETE FROM policy_history WHERE id <> ?1 AND id NOT IN (SELECT id FROM policy_history ORDER BY id DESC LIMIT ?2)",
                params![id, retention::POLICIES + 1],
            )?;
            tx.commit()
        })();
        result.map_err(|s| self.err(s))?;
        Ok(true)
    }

    /// The active policy, if any.
    pub fn active_policy(&self) -> Result<Option<StoredPolicy>, Error> {
        let row = self
            .conn
            .query_row(
                "SELECT p.id, p.bytes, p.sha256, p.source, p.received_at FROM policy_history p
                 JOIN state s ON s.key = 'active_policy' AND p.id = CAST(s.value AS INTEGER)",
                [],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, Vec<u8>>(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get::<_, i64>(4)?,
                    ))
                },
            )
            .optional()
            .map_err(|s| self.err(s))?;
        let Some((id, bytes, sha256, source, received_at)) = row else {
            return Ok(None);
        };
        let policy = Policy::from_json(&bytes).map_err(|e| Error::StoreContents {
            path: self.path.clone(),
            reason: format!("the active policy no longer parses: {e}"),
        })?;
        Ok(Some(StoredPolicy {
            id,
            bytes,
            sha256,
            source,
            received_at: Timestamp::from_unix(received_at),
            policy,
        }))
    }

    /// The active policy made ready for evaluation, compiled once per activation; `None` when no
    /// policy is active.
    pub fn active_engine(
        &mut self,
    ) -> Result<Option<std::sync::Arc<crate::engine::Engine>>, Error> {
        let id: Option<i64> = self
            .state("active_policy")?
            .map(|v| {
                v.parse().map_err(|_| Error::StoreContents {
                    path: self.path.clone(),
                    reason: format!("the stored `active_policy` is `{v}`, not a row id"),
                })
            })
            .transpose()?;
        let Some(id) = id else {
            return Ok(None);
        };
        if let Some((cached, engine)) = &self.compiled
            && *cached == id
        {
            return Ok(Some(std::sync::Arc::clone(engine)));
        }
        let Some(active) = self.active_policy()? else {
            return Ok(None);
        };
        let engine = std::sync::Arc::new(crate::engine::Engine::new(active.policy));
        self.compiled = Some((active.id, std::sync::Arc::clone(&engine)));
        Ok(Some(engine))
    }

    /// The newest trusted root's exact bytes, with its version.
    pub fn trusted_root(&self) -> Result<Option<(u64, Vec<u8>)>, Error> {
        self.conn
            .query_row(
                "SELECT version, bytes FROM roots ORDER BY version DESC LIMIT 1",
                [],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, Vec<u8>>(1)?)),
            )
            .optional()
            .map_err(|s| self.err(s))
    }

    /// A number from the key-value state (0 when unset). A value that is not a number is an
    /// error, never 0: a damaged floor must fail closed, not reopen every rollback.
    pub fn state_u64(&self, key: &str) -> Result<u64, Error> {
        match self.state(key)? {
            None => Ok(0),
            Some(v) => v.parse().map_err(|_| Error::StoreContents {
                path: self.path.clone(),
                reason: format!("the stored `{key}` is `{v}`, not a number"),
            }),
        }
    }

    /// The time floor: no update or scan judges against an earlier time than this. It advances
    /// only from times the agent can stand behind: the issue times of accepted (signed) policies
    /// and roots, and the time the last scan judged by (itself never ahead of the signed times by
    /// more than the clock-problem margin). A device clock reading at a sync is used for that sync
    /// and forgotten, so one sync with the clock years ahead cannot freeze the device.
    pub fn time_floor(&self) -> Result<Timestamp, Error> {
        Ok(Timestamp::from_unix(
            self.state_i64(keys::SIGNED_TIME)?
                .max(self.state_i64(keys::LAST_SCAN)?),
        ))
    }

    /// The newest signed time the device has accepted (issue time of a policy or root).
    pub fn signed_time(&self) -> Result<Timestamp, Error> {
        Ok(Timestamp::from_unix(self.state_i64(keys::SIGNED_TIME)?))
    }

    fn state_i64(&self, key: &str) -> Result<i64, Error> {
        match self.state(key)? {
            None => Ok(0),
            Some(v) => v.parse().map_err(|_| Error::StoreContents {
                path: self.path.clone(),
                reason: format!("the stored `{key}` is `{v}`, not a time"),
            }),
        }
    }

    /// Every policy key id that signed a policy this device accepted. A root rotation may lower
    /// the version floor only when none of them is trusted any more.
    pub fn accepted_policy_signers(&self) -> Result<HashSet<String>, Error> {
        let mut out: HashSet<String> = self
            .state(keys::POLICY_SIGNERS)?
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        for row in self.query(
            "SELECT signers FROM policy_history WHERE signers IS NOT NULL",
            [],
            |r| r.get::<_, String>(0),
        )? {
            out.extend(row.split(',').filter(|s| !s.is_empty()).map(str::to_string));
        }
        Ok(out)
    }

    /// The active policy's version and bytes' hash, read without parsing the document, so a
    /// damaged active policy cannot stand in the way of a newly verified one.
    pub fn active_version(&self) -> Result<Option<(u64, String)>, Error> {
        self.conn
            .query_row(
                "SELECT p.version, p.sha256 FROM policy_history p
                 JOIN state s ON s.key = 'active_policy' AND p.id = CAST(s.value AS INTEGER)",
                [],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?)),
            )
            .optional()
            .map_err(|s| self.err(s))
    }

    /// The active policy's payload bytes (as signed), without parsing them.
    pub fn active_payload(&self) -> Result<Option<Vec<u8>>, Error> {
        self.conn
            .query_row(
                "SELECT p.bytes FROM policy_history p
                 JOIN state s ON s.key = 'active_policy' AND p.id = CAST(s.value AS INTEGER)",
                [],
                |r| r.get::<_, Vec<u8>>(0),
            )
            .optional()
            .map_err(|s| self.err(s))
    }

    /// Key ids that signed the active policy (empty for a policy loaded from a file).
    pub fn active_signers(&self) -> Result<Vec<String>, Error> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT p.signers FROM policy_history p JOIN state s ON s.key = 'active_policy' AND p.id = CAST(s.value AS INTEGER)",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|s| self.err(s))?
            .flatten();
        Ok(text
            .map(|t| {
                t.split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Records a successful sync: new roots, the new policy (made active), floors, the entity tag
    /// and the sync time, all in one transaction. A sync that changed nothing writes only its time.
    pub fn commit_sync(&mut self, c: &SyncCommit<'_>) -> Result<(), Error> {
        let tx = self.conn.transaction().map_err(|s| Error::Store {
            path: self.path.clone(),
            source: s,
        })?;
        let result = (|| {
            let set = |k: &str, v: String| {
                tx.execute(
                    "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)",
                    params![k, v],
                )
            };
            for (version, bytes) in c.roots {
                tx.execute(
                    "INSERT INTO roots (version, bytes, received_at) VALUES (?1, ?2, ?3)",
                    params![*version as i64, bytes, c.now.unix()],
                )?;
            }
            if let Some(p) = &c.policy {
                tx.execute(
                    "INSERT INTO policy_history (version, organisation, sha256, source, received_at, bytes, envelope, signers) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![p.version as i64, p.organisation, sha256_hex(p.envelope), p.source, c.now.unix(), p.payload, p.envelope, p.signers.join(",")],
                )?;
                let id = tx.last_insert_rowid();
                set("active_policy", id.to_string())?;
                tx.execute(
                    "DELETE FROM policy_history WHERE id <> ?1 AND id NOT IN (SELECT id FROM policy_history ORDER BY id DESC LIMIT ?2)",
                    params![id, retention::POLICIES + 1],
                )?;
            }
            let stored = |key: &str| -> rusqlite::Result<Option<String>> {
                tx.query_row(
                    "SELECT value FROM state WHERE key = ?1",
                    params![key],
                    |r| r.get::<_, String>(0),
                )
                .optional()
            };
            if stored(keys::POLICY_FLOOR)? != Some(c.policy_floor.to_string()) {
                set(keys::POLICY_FLOOR, c.policy_floor.to_string())?;
            }
            if let Some(p) = &c.policy {
                let mut signers: Vec<String> = stored(keys::POLICY_SIGNERS)?
                    .unwrap_or_default()
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                for id in p.signers {
                    if !signers.contains(id) {
                        signers.push(id.clone());
                    }
                }
                set(keys::POLICY_SIGNERS, signers.join(","))?;
            }
            if let Some(t) = c.time_floor {
                let old = stored(keys::SIGNED_TIME)?.and_then(|v| v.parse::<i64>().ok());
                if old.is_none_or(|o| o < t.unix()) {
                    set(keys::SIGNED_TIME, t.unix().to_string())?;
                }
            }
            if let Some((url, tag)) = c.etag {
                let key = format!("etag:{url}");
                let old: Option<String> = tx
                    .query_row(
                        "SELECT value FROM state WHERE key = ?1",
                        params![key],
                        |r| r.get(0),
                    )
                    .optional()?;
                if old.as_deref() != Some(tag) {
                    set(&key, tag.to_string())?;
                }
            }
            if c.root_checked {
                set(keys::LAST_ROOT_CHECK, c.now.unix().to_string())?;
            }
            set("last_sync_ok_unix", c.now.unix().to_string())?;
            tx.execute(
                "DELETE FROM state WHERE key IN ('last_sync_error', 'sync_failures')",
                [],
            )?;
            tx.commit()
        })();
        result.map_err(|s| self.err(s))?;
        if c.policy.is_some() || !c.roots.is_empty() {
            self.write_last_good()?;
        }
        Ok(())
    }

    /// Keeps roots verified by a sync that did not finish (a chain longer than one update walks),
    /// so the next sync continues from the newest instead of starting over. Nothing else changes.
    pub fn keep_roots(&mut self, roots: &[(u64, Vec<u8>)], now: Timestamp) -> Result<(), Error> {
        let tx = self.conn.transaction().map_err(|s| Error::Store {
            path: self.path.clone(),
            source: s,
        })?;
        let result = (|| {
            for (version, bytes) in roots {
                tx.execute(
                    "INSERT OR IGNORE INTO roots (version, bytes, received_at) VALUES (?1, ?2, ?3)",
                    params![*version as i64, bytes, now.unix()],
                )?;
            }
            tx.commit()
        })();
        result.map_err(|s| self.err(s))?;
        self.write_last_good()
    }

    /// Records a failed sync: what went wrong, and when it was tried. Nothing else changes.
    pub fn record_sync_failure(&mut self, now: Timestamp, reason: &str) -> Result<(), Error> {
        let tx = self.conn.transaction().map_err(|s| Error::Store {
            path: self.path.clone(),
            source: s,
        })?;
        let result = (|| {
            tx.execute(
                "INSERT OR REPLACE INTO state (key, value) VALUES ('last_sync_error', ?1)",
                params![format!("{now}: {reason}")],
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO state (key, value) VALUES ('last_sync_attempt_unix', ?1)",
                params![now.unix().to_string()],
            )?;
            tx.execute(
                "INSERT INTO state (key, value) VALUES ('sync_failures', '1')
                 ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                [],
            )?;
            tx.commit()
        })();
        result.map_err(|s| self.err(s))
    }

    /// When the last sync succeeded.
    pub fn last_sync_ok(&self) -> Result<Option<Timestamp>, Error> {
        Ok(self
            .state("last_sync_ok_unix")?
            .and_then(|v| v.parse().ok())
            .map(Timestamp::from_unix))
    }

    /// Versions in the policy history, newest first: (version, sha256, source, received).
    pub fn policy_history(&self) -> Result<Vec<(u64, String, String, Timestamp)>, Error> {
        self.query(
            "SELECT version, sha256, source, received_at FROM policy_history ORDER BY id DESC",
            [],
            |r| {
                Ok((
                    r.get::<_, i64>(0)? as u64,
                    r.get(1)?,
                    r.get(2)?,
                    Timestamp::from_unix(r.get(3)?),
                ))
            },
        )
    }

    /// A value from the key-value state.
    pub fn state(&self, key: &str) -> Result<Option<String>, Error> {
        self.conn
            .query_row(
                "SELECT value FROM state WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()
            .map_err(|s| self.err(s))
    }

    /// Every key-value state entry, sorted by key (for diagnostics and `status --json`).
    pub fn state_entries(&self) -> Result<Vec<(String, String)>, Error> {
        self.query("SELECT key, value FROM state ORDER BY key", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
    }

    /// Sets a value in the key-value state.
    pub fn set_state(&mut self, key: &str, value: &str) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map(|_| ())
            .map_err(|s| self.err(s))
    }

    /// What the store remembers of current findings.
    pub fn prior_findings(&self) -> Result<HashMap<String, PriorFinding>, Error> {
        let rows = self.query(
            "SELECT package, rule, since, enforced_since, warned, json FROM findings",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                ))
            },
        )?;
        Ok(rows
            .into_iter()
            .map(|(package, rule, since, enforced_since, warned, json)| {
                let prior = PriorFinding {
                    rule,
                    since: Timestamp::from_unix(since),
                    enforced_since: enforced_since.map(Timestamp::from_unix),
                    warned: warned.as_deref().and_then(Action::parse),
                    action: stored_finding(&json).and_then(|f| f.action_now),
                };
                (package, prior)
            })
            .collect())
    }

    /// Current findings, as recorded by the last scan (sorted by package).
    pub fn findings(&self) -> Result<Vec<Finding>, Error> {
        let rows = self.query("SELECT json FROM findings ORDER BY package", [], |r| {
            r.get::<_, String>(0)
        })?;
        rows.iter()
            .map(|json| {
                stored_finding(json).ok_or_else(|| Error::StoreContents {
                    path: self.path.clone(),
                    reason: "a finding row does not parse".into(),
                })
            })
            .collect()
    }

    /// The blocks the agent placed itself.
    pub fn owned_blocks(&self) -> Result<HashSet<(String, Block)>, Error> {
        let rows = self.query("SELECT package, block FROM ownership", [], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(p, b)| Some((p, Block::parse(&b)?)))
            .collect())
    }

    /// The blocks the agent holds, with since when and the rule, by package.
    pub fn ownership(&self) -> Result<Vec<OwnedBlock>, Error> {
        let rows = self.query(
            "SELECT package, block, since, rule FROM ownership ORDER BY package, block",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            },
        )?;
        Ok(rows
            .into_iter()
            .filter_map(|(package, b, since, rule)| {
                Some(OwnedBlock {
                    package,
                    block: Block::parse(&b)?,
                    since: Timestamp::from_unix(since),
                    rule,
                })
            })
            .collect())
    }

    /// Writes the steps about to be taken, each with its package's state before it (from
    /// `device`), committed before the first one touches the device. Returns each step's journal
    /// id, to mark it done with [`Store::step_done`] once the platform has answered.
    pub fn journal_steps(
        &mut self,
        steps: &[Step],
        device: &[Package],
        now: Timestamp,
    ) -> Result<Vec<i64>, Error> {
        let tx = self.conn.transaction().map_err(|s| Error::Store {
            path: self.path.clone(),
            source: s,
        })?;
        let result = (|| {
            let mut ids = Vec::with_capacity(steps.len());
            for step in steps {
                let json = serde_json::to_string(step).unwrap_or_default();
                let before = device.iter().find(|p| p.name == step.package).map(|p| {
                    serde_json::json!({"suspended": p.suspended, "hidden": p.hidden}).to_string()
                });
                tx.execute(
                    "INSERT INTO journal (at, step, before) VALUES (?1, ?2, ?3)",
                    params![now.unix(), json, before],
                )?;
                ids.push(tx.last_insert_rowid());
            }
            tx.commit()?;
            Ok(ids)
        })();
        result.map_err(|s| self.err(s))
    }

    /// Marks a journalled step as carried out: the platform answered that it was done. Only a
    /// step marked done can be adopted after a kill; a block found without it may have been
    /// placed by someone else while the agent was down.
    pub fn step_done(&mut self, id: i64) -> Result<(), Error> {
        self.conn
            .execute("UPDATE journal SET done = 1 WHERE id = ?1", params![id])
            .map(|_| ())
            .map_err(|s| self.err(s))
    }

    /// Steps journalled by a run that did not get to record its scan.
    pub fn pending_steps(&self) -> Result<Vec<Step>, Error> {
        Ok(self.journal()?.into_iter().map(|j| j.step).collect())
    }

    fn journal(&self) -> Result<Vec<JournalEntry>, Error> {
        let rows = self.query(
            "SELECT step, before, done FROM journal ORDER BY id",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            },
        )?;
        Ok(rows
            .into_iter()
            .filter_map(|(step, before, done)| {
                let before: Option<serde_json::Value> =
                    before.and_then(|b| serde_json::from_str(&b).ok());
                Some(JournalEntry {
                    step: serde_json::from_str(&step).ok()?,
                    before: before.map(|b| {
                        let flag = |k: &str| b.get(k).and_then(|v| v.as_bool()).unwrap_or(true);
                        (flag("suspended"), flag("hidden"))
                    }),
                    done: done != 0,
                })
            })
            .collect())
    }

    /// Reconciles steps left in the journal by an interrupted run with the device's real state.
    /// A block found on the device is adopted only when the agent's own step placed it: the step
    /// was marked done, and the package did not carry the block before it. A block found without
    /// that (the EMM's, or a step the kill cut short) is never adopted, so never lifted. A lift
    /// that happened is forgotten. Returns the steps adopted. One transaction.
    pub fn recover(&mut self, device: &[Package], now: Timestamp) -> Result<Vec<Step>, Error> {
        let journal = self.journal()?;
        if journal.is_empty() {
            return Ok(Vec::new());
        }
        let state: HashMap<&str, &Package> = device.iter().map(|p| (p.name.as_str(), p)).collect();
        let tx = self.conn.transaction().map_err(|s| Error::Store {
            path: self.path.clone(),
            source: s,
        })?;
        let mut done = Vec::new();
        let result = (|| {
            for entry in &journal {
                let step = &entry.step;
                let Some((block, placed)) = step.kind.block() else {
                    continue;
                };
                let on = state.get(step.package.as_str()).map(|p| match block {
                    Block::Suspend => p.suspended,
                    Block::Hide => p.hidden,
                });
                let before = entry.before.map(|(suspended, hidden)| match block {
                    Block::Suspend => suspended,
                    Block::Hide => hidden,
                });
                // Ours only if our step did it: done, and the package was not so before.
                let ours = entry.done && before == Some(!placed);
                // (A lift that happened is forgotten whoever did it: that is always safe.)
                if placed && on == Some(true) && !ours {
                    log::warn!(
                        "{} carries a {} block the interrupted run did not confirm placing: not adopted",
                        step.package,
                        block.as_str()
                    );
                    continue;
                }
                if on == Some(placed) {
                    set_ownership(&tx, &step.package, block, placed, now, step.rule.as_deref())?;
                    log_step(&tx, now, None, step, "recovered", None)?;
                    outbox(
                        &tx,
                        now,
                        "recovery",
                        &serde_json::json!({"package": step.package, "step": step.kind}),
                    )?;
                    done.push(step.clone());
                }
            }
            tx.execute("DELETE FROM journal", [])?;
            tx.commit()
        })();
        result.map_err(|s| self.err(s))?;
        Ok(done)
    }

    /// Records a scan, its findings, the steps' results, ownership, outbox events and the
    /// inventory snapshot; clears the journal; applies retention. One transaction.
    pub fn record_scan(&mut self, rec: &ScanRecord<'_>) -> Result<i64, Error> {
        let prior = self.prior_findings()?;
        let tx = self.conn.transaction().map_err(|s| Error::Store {
            path: self.path.clone(),
            source: s,
        })?;
        let now = rec.started_at;
        let result = (|| {
            let violations = rec
                .findings
                .iter()
                .filter(|f| f.decision.outcome == crate::Outcome::Denied)
                .count() as i64;
            let excepted = rec.findings.len() as i64 - violations;
            let failures = rec.results.iter().filter(|(_, r)| r.is_err()).count() as i64;
            tx.execute(
                "INSERT INTO scans (started_at, trigger, policy_version, mode, packages, violations, excepted, steps, failures, duration_us)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![now.unix(), rec.trigger, rec.policy_version as i64, rec.mode.to_string(), rec.packages.len() as i64,
                        violations, excepted, rec.results.len() as i64, failures, rec.duration_us],
            )?;
            let scan_id = tx.last_insert_rowid();

            // Findings: replace those of the scanned packages; close the ones that went away.
            let scanned: HashSet<&str> = rec.packages.iter().map(|p| p.name.as_str()).collect();
            let current: HashSet<&str> = rec
                .findings
                .iter()
                .map(|f| f.decision.package.as_str())
                .collect();
            for (package, old) in &prior {
                let unreadable = rec.unreadable.iter().any(|u| u.name == *package);
                let in_scope = (rec.full && !unreadable) || scanned.contains(package.as_str());
                if in_scope && !current.contains(package.as_str()) {
                    tx.execute("DELETE FROM findings WHERE package = ?1", params![package])?;
                    outbox(
                        &tx,
                        now,
                        "finding.closed",
                        &serde_json::json!({"package": package, "rule": old.rule}),
                    )?;
                }
            }
            let warned_now: HashMap<&str, Option<Action>> = rec
                .results
                .iter()
                .filter(|(s, r)| s.kind == StepKind::Warn && r.is_ok())
                .map(|(s, _)| (s.package.as_str(), s.action))
                .collect();
            for f in rec.findings {
                let mut f = f.clone();
                if let Some(action) = warned_now.get(f.decision.package.as_str()) {
                    f.warned = *action;
                }
                let opened = prior
                    .get(&f.decision.package)
                    .is_none_or(|p| p.rule != f.decision.rule);
                let json = serde_json::to_string(&f).unwrap_or_default();
                tx.execute(
                    "INSERT OR REPLACE INTO findings (package, rule, since, enforced_since, last_seen, warned, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![f.decision.package, f.decision.rule, f.since.unix(), f.enforced_since.map(Timestamp::unix), now.unix(),
                            f.warned.map(Action::as_str), json],
                )?;
                if opened {
                    outbox(
                        &tx,
                        now,
                        "finding.opened",
                        &serde_json::json!({
                            "package": f.decision.package, "rule": f.decision.rule, "outcome": f.decision.outcome,
                            "action": f.action_now, "mode": rec.mode,
                        }),
                    )?;
                }
            }

            // The enforcement log and ownership.
            for u in rec.unreadable {
                outbox(
                    &tx,
                    now,
                    "inventory.unreadable",
                    &serde_json::json!({"package": u.name, "error": u.error}),
                )?;
            }
            for (step, result) in rec.results {
                let (text, error) = match result {
                    Ok(()) => ("ok", None),
                    Err(e) => ("failed", Some(e.as_str())),
                };
                log_step(&tx, now, Some(scan_id), step, text, error)?;
                if let (Some((block, placed)), Ok(())) = (step.kind.block(), result) {
                    set_ownership(&tx, &step.package, block, placed, now, step.rule.as_deref())?;
                }
                outbox(
                    &tx,
                    now,
                    "enforcement",
                    &serde_json::json!({
                        "package": step.package, "step": step.kind, "rule": step.rule, "result": text, "error": error,
                    }),
                )?;
            }
            for (package, block) in rec.stale_ownership {
                tx.execute(
                    "DELETE FROM ownership WHERE package = ?1 AND block = ?2",
                    params![package, block.as_str()],
                )?;
            }

            // The inventory snapshot, for `explain` and the report.
            tx.execute(
                "INSERT OR REPLACE INTO state (key, value) VALUES ('device', ?1)",
                params![serde_json::to_string(rec.device).unwrap_or_default()],
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO state (key, value) VALUES ('enrolment', ?1)",
                params![serde_json::to_string(rec.enrolment).unwrap_or_default()],
            )?;
            if rec.full {
                tx.execute("DELETE FROM packages", [])?;
            }
            for p in rec.packages {
                tx.execute(
                    "INSERT OR REPLACE INTO packages (name, json) VALUES (?1, ?2)",
                    params![p.name, serde_json::to_string(p).unwrap_or_default()],
                )?;
            }
            tx.execute("DELETE FROM journal", [])?;
            tx.execute(
                "INSERT INTO state (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value
                 WHERE CAST(value AS INTEGER) < CAST(excluded.value AS INTEGER)",
                params![keys::LAST_SCAN, rec.floor_time.unix().to_string()],
            )?;
            match &rec.clock_problem {
                Some(p) => tx.execute(
                    "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)",
                    params![keys::CLOCK_PROBLEM, p],
                )?,
                None => tx.execute(
                    "DELETE FROM state WHERE key = ?1",
                    params![keys::CLOCK_PROBLEM],
                )?,
            };
            tx.execute("DELETE FROM scans WHERE id NOT IN (SELECT id FROM scans ORDER BY id DESC LIMIT ?1)", params![retention::SCANS])?;
            tx.execute("DELETE FROM enforcement_log WHERE id NOT IN (SELECT id FROM enforcement_log ORDER BY id DESC LIMIT ?1)", params![retention::LOG])?;
            tx.execute("DELETE FROM outbox WHERE id NOT IN (SELECT id FROM outbox ORDER BY id DESC LIMIT ?1)", params![retention::OUTBOX])?;
            tx.commit()?;
            Ok(scan_id)
        })();
        result.map_err(|s| self.err(s))
    }

    /// Records that the device forgot a package outside a scan (it was uninstalled): its finding
    /// closes and any block on it is forgotten.
    pub fn forget_package(&mut self, package: &str, now: Timestamp) -> Result<(), Error> {
        let tx = self.conn.transaction().map_err(|s| Error::Store {
            path: self.path.clone(),
            source: s,
        })?;
        let result = (|| {
            if tx.execute("DELETE FROM findings WHERE package = ?1", params![package])? > 0 {
                outbox(
                    &tx,
                    now,
                    "finding.closed",
                    &serde_json::json!({"package": package, "rule": null}),
                )?;
            }
            tx.execute("DELETE FROM ownership WHERE package = ?1", params![package])?;
            tx.execute("DELETE FROM packages WHERE name = ?1", params![package])?;
            tx.commit()
        })();
        result.map_err(|s| self.err(s))
    }

    /// The device and packages as of the last scan.
    pub fn snapshot(&self) -> Result<Option<Inventory>, Error> {
        let Some(device) = self.state("device")? else {
            return Ok(None);
        };
        let device: Device = serde_json::from_str(&device).map_err(|e| Error::StoreContents {
            path: self.path.clone(),
            reason: format!("the stored device does not parse: {e}"),
        })?;
        let rows = self.query("SELECT json FROM packages ORDER BY name", [], |r| {
            r.get::<_, String>(0)
        })?;
        let packages = rows
            .iter()
            .filter_map(|j| serde_json::from_str(j).ok())
            .collect();
        Ok(Some(Inventory {
            device,
            packages,
            unreadable: Vec::new(),
        }))
    }

    /// The enrolment of the last scan.
    pub fn enrolment(&self) -> Result<Option<crate::Enrolment>, Error> {
        Ok(self
            .state("enrolment")?
            .and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// The most recent scans, newest first.
    pub fn recent_scans(&self, limit: i64) -> Result<Vec<ScanRow>, Error> {
        self.query(
            "SELECT id, started_at, trigger, policy_version, mode, packages, violations, excepted, steps, failures, duration_us
             FROM scans ORDER BY id DESC LIMIT ?1",
            params![limit],
            |r| {
                Ok(ScanRow {
                    id: r.get(0)?,
                    started_at: Timestamp::from_unix(r.get(1)?),
                    trigger: r.get(2)?,
                    policy_version: r.get::<_, i64>(3)? as u64,
                    mode: r.get(4)?,
                    packages: r.get(5)?,
                    violations: r.get(6)?,
                    excepted: r.get(7)?,
                    steps: r.get(8)?,
                    failures: r.get(9)?,
                    duration_us: r.get(10)?,
                })
            },
        )
    }

    /// The most recent enforcement log rows, newest first; with `package`, only that package's.
    pub fn enforcement_log(&self, limit: i64, package: Option<&str>) -> Result<Vec<LogRow>, Error> {
        self.query(
            "SELECT at, package, step, rule, result, error FROM enforcement_log
             WHERE ?2 IS NULL OR package = ?2 ORDER BY id DESC LIMIT ?1",
            params![limit, package],
            |r| {
                Ok(LogRow {
                    at: Timestamp::from_unix(r.get(0)?),
                    package: r.get(1)?,
                    step: r.get(2)?,
                    rule: r.get(3)?,
                    result: r.get(4)?,
                    error: r.get(5)?,
                })
            },
        )
    }

    /// Events waiting for upload, oldest first.
    pub fn outbox(&self, limit: i64) -> Result<Vec<OutboxEvent>, Error> {
        self.query(
            "SELECT id, at, kind, body FROM outbox ORDER BY id LIMIT ?1",
            params![limit],
            |r| {
                Ok(OutboxEvent {
                    id: r.get(0)?,
                    at: Timestamp::from_unix(r.get(1)?),
                    kind: r.get(2)?,
                    body: r.get(3)?,
                })
            },
        )
    }

    /// Drops events up to and including `id` once they are uploaded.
    pub fn acknowledge_outbox(&mut self, id: i64) -> Result<usize, Error> {
        self.conn
            .execute("DELETE FROM outbox WHERE id <= ?1", params![id])
            .map_err(|s| self.err(s))
    }

    /// Row counts per table, for `status` and the retention tests.
    pub fn row_counts(&self) -> Result<Vec<(&'static str, i64)>, Error> {
        [
            "policy_history",
            "scans",
            "findings",
            "enforcement_log",
            "ownership",
            "journal",
            "outbox",
            "packages",
        ]
        .into_iter()
        .map(|t| {
            let n = self
                .conn
                .query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
                .map_err(|s| self.err(s))?;
            Ok((t, n))
        })
        .collect()
    }

    fn query<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, Error> {
        let mut stmt = self.conn.prepare(sql).map_err(|s| self.err(s))?;
        let rows = stmt.query_map(params, f).map_err(|s| self.err(s))?;
        rows.collect::<Result<Vec<T>, _>>().map_err(|s| self.err(s))
    }
}

fn set_ownership(
    tx: &rusqlite::Transaction<'_>,
    package: &str,
    block: Block,
    placed: bool,
    now: Timestamp,
    rule: Option<&str>,
) -> rusqlite::Result<()> {
    if placed {
        tx.execute(
            "INSERT OR IGNORE INTO ownership (package, block, since, rule) VALUES (?1, ?2, ?3, ?4)",
            params![package, block.as_str(), now.unix(), rule],
        )?;
    } else {
        tx.execute(
            "DELETE FROM ownership WHERE package = ?1 AND block = ?2",
            params![package, block.as_str()],
        )?;
    }
    Ok(())
}

fn log_step(
    tx: &rusqlite::Transaction<'_>,
    now: Timestamp,
    scan: Option<i64>,
    step: &Step,
    result: &str,
    error: Option<&str>,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO enforcement_log (at, scan_id, package, step, rule, result, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![now.unix(), scan, step.package, step.kind.as_str(), step.rule, result, error],
    )?;
    Ok(())
}

fn outbox(
    tx: &rusqlite::Transaction<'_>,
    now: Timestamp,
    kind: &str,
    body: &serde_json::Value,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO outbox (at, kind, body) VALUES (?1, ?2, ?3)",
        params![now.unix(), kind, body.to_string()],
    )?;
    Ok(())
}

fn stored_finding(json: &str) -> Option<Finding> {
    serde_json::from_str(json).ok()
}
