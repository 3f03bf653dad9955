//! `status`: the device's trust and sync state in one view — which policy is in force and who
//! signed it, whether it is stale, the root and floors, the last sync, problems the helpdesk must
//! see. The CLI's `status` and the phone's dumpsys print the same text for the same store.

use std::fmt::Write;

use serde::Serialize;

use crate::Error;
use crate::store::{ScanRow, Store};
use crate::time::Timestamp;

/// The policy in force, as `status` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyStatus {
    /// Its organisation.
    pub organisation: String,
    /// Its version.
    pub version: u64,
    /// When it was signed.
    pub issued_at: Option<Timestamp>,
    /// When it expires.
    pub expires: Option<Timestamp>,
    /// It has expired (judged by the later of the clock and the time floor): still enforced.
    pub stale: bool,
    /// Hash of its rules.
    pub rules_hash: String,
    /// SHA-256 of the bytes received.
    pub sha256: String,
    /// Where it came from.
    pub source: String,
    /// When it was stored.
    pub received_at: Timestamp,
    /// Key ids that signed it (empty for a policy loaded from a file).
    pub signed_by: Vec<String>,
}

/// The device's status.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    /// The policy in force, if any.
    pub policy: Option<PolicyStatus>,
    /// The trusted root's version (0 before the first sync).
    pub root_version: u64,
    /// The policy-version floor.
    pub policy_floor: u64,
    /// The time floor.
    pub time_floor: Timestamp,
    /// The last successful sync.
    pub last_sync_ok: Option<Timestamp>,
    /// Hours since the last verified fetch.
    pub hours_since_verified_fetch: Option<i64>,
    /// The last sync error, if the last attempt failed.
    pub last_sync_error: Option<String>,
    /// A clock problem the last scan saw.
    pub clock_problem: Option<String>,
    /// A damaged store moved aside at open.
    pub store_recovered: Option<String>,
    /// Compliance records waiting for delivery.
    pub records_waiting: usize,
    /// What a full record queue gave up.
    pub records_dropped: crate::Dropped,
    /// Each sink's delivery state.
    pub deliveries: Vec<crate::records::SinkState>,
    /// The last scan.
    pub last_scan: Option<ScanRow>,
    /// The device-owner hardening as the phone last reported it (`[device]` of the policy).
    pub device_settings: Vec<crate::SettingState>,
    /// How the agent is managed and what it may do, as the phone last reported it.
    pub powers: Option<crate::Powers>,
    /// When the newest trusted root expires: after it, no new policy is accepted.
    pub root_expires: Option<Timestamp>,
    /// Days until then (negative once it has passed), judged by the later of the clock and the
    /// time floor.
    pub root_expires_in_days: Option<i64>,
}

/// Status warns this many days before the root expires.
pub(crate) const ROOT_WARNING_DAYS: i64 = 30;

/// Reads the status from the store; `clock` is the device's clock.
pub fn status(store: &Store, clock: Timestamp) -> Result<Status, Error> {
    let floor = store.time_floor()?;
    let policy = match store.active_policy()? {
        Some(a) => Some(PolicyStatus {
            organisation: a.policy.organisation.clone(),
            version: a.policy.version,
            issued_at: a.policy.issued_at,
            expires: a.policy.expires,
            stale: crate::clock::is_stale(a.policy.expires, clock, floor),
            rules_hash: a.policy.rules_hash(),
            sha256: a.sha256,
            source: a.source,
            received_at: a.received_at,
            signed_by: store.active_signers()?,
        }),
        None => None,
    };
    let last_ok = store.last_sync_ok()?;
    let root = store.trusted_root()?;
    let root_expires = root
        .as_ref()
        .and_then(|(_, bytes)| crate::trust::Envelope::parse(bytes).ok())
        .and_then(|e| e.payload_bytes().ok())
        .and_then(|p| serde_json::from_slice::<crate::trust::Root>(&p).ok())
        .map(|r| r.expires);
    let judged = clock.max(floor);
    Ok(Status {
        root_expires,
        root_expires_in_days: root_expires.map(|e| e.since(judged).div_euclid(86_400)),
        policy,
        root_version: store.trusted_root()?.map_or(0, |(v, _)| v),
        policy_floor: store.policy_floor()?,
        time_floor: floor,
        last_sync_ok: last_ok,
        hours_since_verified_fetch: last_ok.map(|t| clock.since(t) / 3600),
        last_sync_error: store.last_sync_error()?,
        clock_problem: store.clock_problem()?,
        device_settings: store.device_settings()?.0,
        store_recovered: store.recovered()?,
        records_waiting: store.records_waiting()?,
        records_dropped: store.records_dropped()?,
        deliveries: store.deliveries()?,
        last_scan: store.recent_scans(1)?.into_iter().next(),
        powers: store.last_device()?.and_then(|d| d.powers),
    })
}

impl Status {
    /// The status as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The status as text: what `appwacht status` and the phone's dumpsys print.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        match &self.policy {
            Some(p) => {
                let signers = if p.signed_by.is_empty() {
                    "unsigned, loaded from a file".to_string()
                } else {
                    let short: Vec<&str> = p
                        .signed_by
                        .iter()
                        .map(|k| k.get(..16).unwrap_or(k))
                        .collect();
                    format!("signed by {}", short.join(", "))
                };
                let _ = writeln!(
                    o,
                    "Policy: {} version {} ({signers}), rules hash {}",
                    p.organisation, p.version, p.rules_hash
                );
                let _ = writeln!(
                    o,
                    "Expires: {}{}",
                    p.expires.map_or("never".to_string(), |e| e.to_string()),
                    if p.stale {
                        " (EXPIRED: still enforced, stale)"
                    } else {
                        ""
                    }
                );
            }
            None => {
                let _ = writeln!(o, "Policy: none active");
            }
        }
        let _ = writeln!(
            o,
            "Root: version {}; policy-version floor {}; time floor {}",
            self.root_version,
            self.policy_floor,
            if self.time_floor.unix() == 0 {
                "-".to_string()
            } else {
                self.time_floor.to_string()
            }
        );
        let _ = writeln!(
            o,
            "Last successful sync: {}{}",
            self.last_sync_ok
                .map_or("never".to_string(), |t| t.to_string()),
            self.hours_since_verified_fetch
                .map(|h| format!(" ({h} h ago)"))
                .unwrap_or_default()
        );
        if let (Some(at), Some(days)) = (self.root_expires, self.root_expires_in_days) {
            if days < 0 {
                let _ = writeln!(
                    o,
                    "WARNING: the root expired on {at}: no phone accepts a new policy until the organisation publishes a new root version (appwacht root rotate)"
                );
            } else if days <= ROOT_WARNING_DAYS {
                let _ = writeln!(
                    o,
                    "WARNING: the root expires in {days} day(s), on {at}: rotate it before then (appwacht root rotate), or no phone accepts a new policy"
                );
            } else {
                let _ = writeln!(o, "Root expires: {at}");
            }
        }
        if let Some(p) = &self.powers {
            let _ = writeln!(o, "Management: {}", p.describe());
        }
        for (label, text) in [
            ("Last sync error", &self.last_sync_error),
            ("Clock problem", &self.clock_problem),
            ("Store recovered", &self.store_recovered),
        ] {
            if let Some(t) = text {
                let _ = writeln!(o, "{label}: {t}");
            }
        }
        for d in &self.device_settings {
            let _ = writeln!(
                o,
                "Device: {} {}{}{}",
                d.setting.as_str(),
                if d.on { "on" } else { "off" },
                if d.wanted {
                    " (the policy asks for it)"
                } else {
                    ""
                },
                d.error
                    .as_ref()
                    .map(|e| format!("; the phone refused: {e}"))
                    .unwrap_or_default()
            );
        }
        let d = &self.records_dropped;
        let _ = writeln!(
            o,
            "Records: {} waiting for delivery{}",
            self.records_waiting,
            if d.total() > 0 {
                format!(
                    "; {} given up by a full queue ({} routine, {} notice, {} violation)",
                    d.total(),
                    d.routine,
                    d.notice,
                    d.violation
                )
            } else {
                String::new()
            }
        );
        for s in &self.deliveries {
            let _ = writeln!(
                o,
                "  to {}: {} delivered, last accepted {}{}",
                s.sink,
                s.delivered,
                s.last_ok.map_or("never".to_string(), |t| t.to_string()),
                match &s.last_error {
                    Some(e) => format!(
                        "; failing ({} attempt(s)): {e}; next try after {}",
                        s.attempts, s.retry_at
                    ),
                    None => String::new(),
                }
            );
        }
        o
    }
}
