//! Compliance records: what the agent tells the organisation's logging systems, one structured
//! record per thing that happened (a violation opened or resolved, a policy activated or refused,
//! a sync that failed, a clock that cannot be believed, a change of mode or powers, a scan that
//! changed something, and a heartbeat at least daily).
//!
//! The format is `docs/schema/compliance-record-1.json` (JSON Schema), named in every record by
//! [`SCHEMA`]; a change that breaks a reader gets a new number. Records wait in the store's queue
//! until every configured sink has accepted them ([`deliver`]); a sink sees each at least once and
//! de-duplicates by its `id`.

mod deliver;
pub mod fleet;
mod otlp;
#[cfg(feature = "https")]
mod sinks;
mod syslog;

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

pub use deliver::{Delivery, Sink, SinkError, SinkOutcome, SinkState, deliver, jitter};
pub use otlp::otlp_json;
#[cfg(feature = "https")]
pub use sinks::{OtlpHttp, SyslogTls, sinks};
pub use syslog::{SYSLOG_ENTERPRISE, syslog_address, syslog_frame, syslog_message};

/// The schema every record names: `docs/schema/compliance-record-1.json`.
pub const SCHEMA: &str = "appwacht.compliance-record/1";

/// How often, at least, a living agent says so.
pub const HEARTBEAT_SECS: i64 = 24 * 3600;

/// What a record is about. Its `as_str` is the record's `kind`, and its class decides what a full
/// queue gives up first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A scan that changed something: counts, and what opened and resolved.
    ScanSummary,
    /// A new violation (or a finding whose rule changed).
    FindingOpened,
    /// A finding that went away (the app was removed or is allowed now).
    FindingResolved,
    /// One enforcement step and its result.
    Enforcement,
    /// A step an interrupted run took, adopted after the kill.
    Recovery,
    /// A package the platform listed but could not describe.
    InventoryUnreadable,
    /// A policy became active.
    PolicyActivated,
    /// A policy (or a root) was offered and refused: signatures, rollback, organisation, expiry.
    PolicyRefused,
    /// A sync could not reach any mirror.
    SyncFailed,
    /// The phone's clock cannot be believed (or can again).
    ClockProblem,
    /// How the agent is managed and what it may do, when that changed.
    Mode,
    /// The agent is alive: at least once a day.
    Heartbeat,
}

impl Kind {
    /// The record's `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ScanSummary => "scan.summary",
            Kind::FindingOpened => "finding.opened",
            Kind::FindingResolved => "finding.resolved",
            Kind::Enforcement => "enforcement",
            Kind::Recovery => "recovery",
            Kind::InventoryUnreadable => "inventory.unreadable",
            Kind::PolicyActivated => "policy.activated",
            Kind::PolicyRefused => "policy.refused",
            Kind::SyncFailed => "sync.failed",
            Kind::ClockProblem => "clock.problem",
            Kind::Mode => "agent.mode",
            Kind::Heartbeat => "heartbeat",
        }
    }

    /// What a full queue keeps longest: violations and refusals, then what happened, then the
    /// routine (heartbeats and summaries, which the next one replaces).
    pub fn severity(self) -> Severity {
        match self {
            Kind::FindingOpened | Kind::PolicyRefused | Kind::ClockProblem => Severity::Violation,
            Kind::ScanSummary | Kind::Heartbeat => Severity::Routine,
            _ => Severity::Notice,
        }
    }
}

/// How much a record matters, and so what a full queue gives up first (routine first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Heartbeats and scan summaries.
    Routine,
    /// Everything that happened and is not a violation.
    Notice,
    /// A violation, a refused policy, a clock problem: never given up before the others.
    Violation,
}

impl Severity {
    /// The class stored in the queue (0 routine, 1 notice, 2 violation).
    pub(crate) fn class(self) -> i64 {
        match self {
            Severity::Routine => 0,
            Severity::Notice => 1,
            Severity::Violation => 2,
        }
    }

    pub(crate) fn from_class(class: i64) -> Severity {
        match class {
            0 => Severity::Routine,
            2 => Severity::Violation,
            _ => Severity::Notice,
        }
    }

    /// The word in a record.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Routine => "routine",
            Severity::Notice => "notice",
            Severity::Violation => "violation",
        }
    }
}

/// The policy a record was written under.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyRef {
    /// Its version.
    pub version: u64,
    /// SHA-256 of the exact bytes received (the signed envelope, or the file on the host).
    pub sha256: String,
}

/// One compliance record, as every sink receives it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// [`SCHEMA`].
    pub schema: String,
    /// A UUID (version 4), unique to this record: a receiver de-duplicates by it.
    pub id: String,
    /// The device's sequence number: one more for each record, never reused.
    pub seq: u64,
    /// When it happened (the time the agent judged by).
    pub time: Timestamp,
    /// What it is about ([`Kind::as_str`]).
    pub kind: String,
    /// How much it matters.
    pub severity: Severity,
    /// The device id within the organisation ("" before the first scan named it).
    pub device: String,
    /// The organisation of the active policy, if one was active.
    #[serde(default)]
    pub organisation: Option<String>,
    /// The agent's version (`older` for events written before records existed).
    pub agent: String,
    /// The policy active when it was written, if any.
    #[serde(default)]
    pub policy: Option<PolicyRef>,
    /// What the kind says: see the schema.
    pub data: serde_json::Value,
}

impl Record {
    /// The record as one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads one record; the error says what is wrong.
    pub fn from_json(text: &str) -> Result<Record, String> {
        let record: Record = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if record.schema != SCHEMA {
            return Err(format!(
                "schema `{}` is not `{SCHEMA}`",
                record.schema.chars().take(60).collect::<String>()
            ));
        }
        Ok(record)
    }
}

/// A fresh UUID (version 4, RFC 9562) from the system's random generator.
pub(crate) fn new_uuid() -> String {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 16];
    if ring::rand::SystemRandom::new().fill(&mut b).is_err() {
        // No random source: still unique on this device (time and a counter), never a panic.
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        b = (t ^ (u128::from(n) << 64)).to_be_bytes();
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = crate::hex(&b);
    let part = |r: std::ops::Range<usize>| h.get(r).unwrap_or_default().to_string();
    format!(
        "{}-{}-{}-{}-{}",
        part(0..8),
        part(8..12),
        part(12..16),
        part(16..20),
        part(20..32)
    )
}
