//! History: the readers of what happened (scans, the enforcement log).

use rusqlite::params;
use serde::Serialize;

use super::Store;
use crate::Error;
use crate::time::Timestamp;

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

impl Store {
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
}
