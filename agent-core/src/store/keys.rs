//! The names of the key-value state the store keeps, typed: no other place spells them. Code
//! outside the store reads them through the store's accessors.

/// The newest signed time accepted (issue time of a policy or root), as Unix seconds.
pub(crate) const SIGNED_TIME: &str = "time_floor";
/// The time the last scan judged by (never beyond the newest signed time or the active policy's
/// expiry), as Unix seconds.
pub(crate) const LAST_SCAN: &str = "last_scan_unix";
/// Every policy key id that signed an accepted policy, comma-separated.
pub(crate) const POLICY_SIGNERS: &str = "policy_signers";
/// The policy-version floor.
pub(crate) const POLICY_FLOOR: &str = "policy_floor";
/// When the root chain was last walked.
pub(crate) const LAST_ROOT_CHECK: &str = "last_root_check_unix";
/// The clock problem the last scan or sync saw, if any.
pub(crate) const CLOCK_PROBLEM: &str = "clock_problem";
/// Where a damaged database was moved, and why.
pub(crate) const RECOVERED: &str = "store_recovered";
/// The history row of the active policy.
pub(crate) const ACTIVE_POLICY: &str = "active_policy";
/// When the last sync succeeded, as Unix seconds.
pub(crate) const LAST_SYNC_OK: &str = "last_sync_ok_unix";
/// When the last sync was tried and failed, as Unix seconds.
pub(crate) const LAST_SYNC_ATTEMPT: &str = "last_sync_attempt_unix";
/// The last sync error, with its time.
pub(crate) const LAST_SYNC_ERROR: &str = "last_sync_error";
/// Failed syncs in a row (for the backoff).
pub(crate) const SYNC_FAILURES: &str = "sync_failures";
/// The hardening settings the agent turned on, and the phone's read-back (JSON).
pub(crate) const DEVICE_SETTINGS: &str = "device_settings";
/// The device as of the last scan (JSON).
pub(crate) const DEVICE: &str = "device";
/// The enrolment the last scan judged under (JSON).
pub(crate) const ENROLMENT: &str = "enrolment";
/// The `getChangedPackages` sequence number the last catch-up stored.
pub(crate) const CATCH_UP: &str = "changed_packages_sequence";

/// The device id the last scan named (compliance records carry it).
pub(crate) const DEVICE_ID: &str = "device_id";
/// When the last heartbeat record was written, as Unix seconds.
pub(crate) const LAST_HEARTBEAT: &str = "last_heartbeat_unix";
/// The mode and powers the last `agent.mode` record said (JSON).
pub(crate) const RECORDED_MODE: &str = "recorded_mode";
/// How many records the queue holds at most (from the device configuration).
pub(crate) const RECORD_LIMIT: &str = "record_limit";
/// Records a full queue gave up, by severity: `records_dropped_routine` and so on.
pub(crate) fn dropped(severity: &str) -> String {
    format!("records_dropped_{severity}")
}

/// The entity tag last received for a policy URL.
pub(crate) fn etag(url: &str) -> String {
    format!("etag:{url}")
}

/// The join from the state to the active policy's history row, for the store's queries.
pub(super) const ACTIVE_JOIN: &str =
    "JOIN state s ON s.key = 'active_policy' AND p.id = CAST(s.value AS INTEGER)";
