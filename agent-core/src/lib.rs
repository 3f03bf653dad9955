//! # agent-core: Appwacht's platform-free engine
//!
//! What it is for: deciding, for every app on a managed work phone, whether the organisation's
//! policy allows it, what to do about it, and keeping a compliance record the helpdesk can read.
//! It holds the policy model and its TOML authoring format, the inventory model, the evaluation
//! engine with its written precedence (`docs/POLICY.md`), enforcement planning, the SQLite
//! compliance store and the helpdesk report, and the compliance records the organisation's log
//! systems receive (their queue, their sinks with feature `https`, and the fleet report that
//! reads them back, `docs/FLEET.md`).
//!
//! What it must never do: touch a platform API (the JNI adapter and the host tools implement
//! [`PackageSource`] and [`Enforcer`]), block a package of the never-block set, lift a block it did
//! not place, or lose or downgrade anything already stored. It contains no `unsafe` code.
//!
//! How to test it: `cargo test` at the workspace root runs its unit tests and the end-to-end suite
//! in `tests/`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(unreachable_pub)]
// No input can panic: every parser of outside input slices and indexes only through checked calls.
#![deny(clippy::string_slice, clippy::indexing_slicing)]

mod agent;
pub mod audit;
mod clock;
mod digest;
mod enforcement;
mod engine;
mod error;
mod explain;
mod hardening;
mod inventory;
pub mod policy;
mod powers;
mod protected;
pub mod records;
mod recovery;
mod report;
mod report_words;
mod status;
pub(crate) mod store;
mod time;
pub mod trust;
mod words;

pub use agent::{CatchUp, ScanSummary, Scope, StepResult, catch_up, reset_catch_up, scan};
pub use digest::{CertDigest, CertFingerprint, CertSha1, hex, sha256_hex};

/// Whether `name` is one of the platform packages a phone cannot work without (the never-block
/// set protects their pre-installed copies whatever a policy says).
pub fn is_platform_package(name: &str) -> bool {
    protected::PLATFORM.contains(&name)
}
pub use enforcement::{
    Block, Enforcer, Finding, ManagedDevice, PackageSource, Plan, PriorFinding, SimulatedDevice,
    Step, StepError, StepKind, plan,
};
pub use engine::{
    AppliedException, Decision, DeviceScope, Engine, Enrolment, Explanation, MatchStatus, Outcome,
    RuleMatch,
};
pub use error::Error;
pub use explain::{PackageExplanation, explain};
pub use hardening::{
    Change as SettingChange, DeviceSettings, Setting, SettingState, plan as plan_device_settings,
};
pub use inventory::{Changes, Device, Inventory, Package, Unreadable};
pub use policy::{Action, Effect, Mode, Policy};
pub use powers::{BLOCK_UNINSTALL, Management, PACKAGE_ACCESS, PERMISSION_GRANT, Power, Powers};
pub use protected::PLATFORM as PLATFORM_PACKAGES;
pub use report::{ExceptionLine, PolicySummary, Report, SyncSummary, ViolationLine};
pub use report_words::{Language, ReportSettings};
pub use status::{PolicyStatus, Status, status};
pub use store::{Dropped, LogRow, OwnedBlock, ScanRow, Store, StoredPolicy, retention};
pub use time::{Span, Timestamp};
