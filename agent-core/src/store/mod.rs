//! The compliance store: one SQLite database (WAL) holding what the agent knows and must not lose.
//!
//! It keeps the policy history (exact bytes), scans, current findings and since when, the
//! enforcement log, which blocks the agent placed (ownership), a journal of steps in flight, and an
//! outbox of events for upload. A scan is recorded in one transaction. Steps are journalled before
//! they touch the device, so a process killed between acting and recording leaves a journal that
//! the next run reconciles with the device's real state.
//!
//! Split along its seams: `schema` (the migrations), `keys` (the typed names of the key-value
//! state), `trust` (policies, roots, floors, the last-good file), `scan` (scans, the journal,
//! findings, ownership, the inventory snapshot) and `history` (the readers of what happened). Every
//! write goes through one transaction helper, [`Store::write`].

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::Error;
use crate::time::Timestamp;

mod history;
pub(crate) mod keys;
mod records;
mod scan;
mod schema;
mod trust;

pub use history::{LogRow, ScanRow};
pub use records::Dropped;
pub use scan::OwnedBlock;
pub(crate) use scan::ScanRecord;
pub use trust::StoredPolicy;
pub(crate) use trust::{SignedPolicy, SyncCommit, TrustState};

/// How many scans, log rows, compliance records and old policies are kept: the database stays bounded
/// on a phone that runs for years.
pub mod retention {
    /// Scans kept.
    pub const SCANS: i64 = 1_000;
    /// Enforcement log rows kept.
    pub const LOG: i64 = 10_000;
    /// Compliance records kept waiting for delivery by default (routine ones given up first when
    /// delivery lags; the device configuration's `record_queue_limit` changes it).
    pub const RECORDS: i64 = 10_000;
    /// Policy versions kept besides the active one.
    pub const POLICIES: i64 = 20;
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

    /// A second, read-only connection to a store another connection has opened: the helpdesk's
    /// and the compliance screen's reads. In WAL mode a reader sees the last committed state and
    /// never waits for a writer, so a sync holding the writer during its network requests, or a
    /// long full scan, cannot hold up a status, a report or an explanation.
    pub fn open_reader(path: &Path) -> Result<Store, Error> {
        use rusqlite::OpenFlags;
        let name = path.display().to_string();
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| Error::Store {
            path: name.clone(),
            source,
        })?;
        let store = Store {
            conn,
            path: name,
            compiled: None,
        };
        // A reader waits only for a checkpoint's brief lock, never for a write transaction.
        store
            .conn
            .busy_timeout(std::time::Duration::from_secs(1))
            .map_err(|s| store.err(s))?;
        let version = store.schema_version()?;
        if version != schema::MIGRATIONS.len() as i64 {
            return Err(Error::StoreContents {
                path: store.path.clone(),
                reason: format!(
                    "a reader needs a migrated store (schema {version}; this build knows {}): open it for writing first",
                    schema::MIGRATIONS.len()
                ),
            });
        }
        Ok(store)
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

    /// A second writing connection to a store [`Store::open`] has opened (checked, recovered and
    /// migrated) in this process: the compliance records' sender, so that delivery's short
    /// writes never take the scans' connection. No integrity check and no recovery here (they are
    /// the first connection's job): a schema other than this build's is an error.
    pub fn open_sender(path: &Path) -> Result<Store, Error> {
        let name = path.display().to_string();
        let conn = Connection::open(path).map_err(|source| Error::Store {
            path: name.clone(),
            source,
        })?;
        let mut store = Store {
            conn,
            path: name,
            compiled: None,
        };
        store.setup().map_err(|s| store.err(s))?;
        let version = store.schema_version()?;
        if version != schema::MIGRATIONS.len() as i64 {
            return Err(Error::StoreContents {
                path: store.path.clone(),
                reason: format!(
                    "the sender found schema {version}, not {}: open the store with Store::open first",
                    schema::MIGRATIONS.len()
                ),
            });
        }
        Ok(store)
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
        if version > schema::MIGRATIONS.len() as i64 {
            return Err(Error::StoreContents {
                path: store.path.clone(),
                reason: format!(
                    "it was written by a newer agent (schema {version}; this build knows {})",
                    schema::MIGRATIONS.len()
                ),
            });
        }
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
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

    /// A number from the key-value state (0 when unset). A value that is not a number is an
    /// error, never 0: a damaged floor must fail closed, not reopen every rollback.
    pub(crate) fn state_u64(&self, key: &str) -> Result<u64, Error> {
        match self.state(key)? {
            None => Ok(0),
            Some(v) => v.parse().map_err(|_| Error::StoreContents {
                path: self.path.clone(),
                reason: format!("the stored `{key}` is `{v}`, not a number"),
            }),
        }
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

    /// Every key-value state entry, sorted by key (for diagnostics and `status --json`).
    pub fn state_entries(&self) -> Result<Vec<(String, String)>, Error> {
        self.query("SELECT key, value FROM state ORDER BY key", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
    }

    /// Sets a value in the key-value state.
    pub(crate) fn set_state(&mut self, key: &str, value: &str) -> Result<(), Error> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map(|_| ())
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
            "records",
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

    /// Runs `f` in one transaction and commits it; any error rolls everything back. The one
    /// place a write transaction is opened.
    fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, Error> {
        let path = self.path.clone();
        let fail = |source| Error::Store {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(fail)?;
        let value = f(&tx).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(value)
    }
}
