//! The core's errors: each variant says in a sentence what happened and what it concerns.

use thiserror::Error;

/// Everything the core can fail at.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A compiled policy document does not parse or does not validate.
    #[error("the policy document is not valid: {reason}")]
    PolicyDocument {
        /// What is wrong, and where.
        reason: String,
    },
    /// An authored policy has problems (each located by file, line and column).
    #[error("{0}")]
    PolicySource(#[from] crate::policy::authoring::CompileErrors),
    /// An inventory could not be read.
    #[error("the inventory {file} is not valid: {reason}")]
    Inventory {
        /// The file, or the source of the inventory.
        file: String,
        /// What is wrong, and where.
        reason: String,
    },
    /// The platform could not list packages.
    #[error("the installed packages could not be read: {0}")]
    PackageSource(String),
    /// The compliance store failed.
    #[error("the compliance store {path} failed: {source}")]
    Store {
        /// The database file.
        path: String,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The compliance store holds data this build cannot read.
    #[error("the compliance store {path} cannot be used: {reason}")]
    StoreContents {
        /// The database file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A device configuration is not usable.
    #[error("the device configuration {file} is not valid: {reason}")]
    Config {
        /// The file (or `managed configuration`).
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// A signed document was refused.
    #[error("{0}")]
    Trust(#[from] crate::trust::TrustError),
    /// No mirror delivered a policy the device could accept; the last good policy, if there is
    /// one, stays in force.
    #[error(
        "the sync failed on every mirror, {}: {reason}",
        if *has_policy { "so the last good policy stays in force" } else { "and no policy is active yet" }
    )]
    Sync {
        /// Each mirror and why it failed.
        reason: String,
        /// Whether a policy is active (and so stays in force).
        has_policy: bool,
        /// Whether it was the network, an untrusted answer, or the pinned root.
        kind: crate::trust::sync::SyncFailure,
    },
    /// A policy is valid but not newer than the active one: nothing stored is downgraded.
    #[error(
        "version {version} from {source_name} is not newer than the active version {active} (from {active_source}); raise the version to replace it"
    )]
    NotNewer {
        /// The offered version.
        version: u64,
        /// Where it came from.
        source_name: String,
        /// The active version.
        active: u64,
        /// Where the active one came from.
        active_source: String,
    },
    /// The store holds no scan yet, so there is nothing to explain or report on.
    #[error("the store holds no scan yet: run a scan first")]
    NoScan,
    /// A package the last scan did not see.
    #[error(
        "{package} was not installed at the last scan of {device} (the store knows {known} packages){}",
        if suggestions.is_empty() { String::new() } else { format!("; did you mean {}?", suggestions.join(" or ")) }
    )]
    UnknownPackage {
        /// The package asked about.
        package: String,
        /// The device of the last scan.
        device: String,
        /// How many packages the store knows.
        known: usize,
        /// Installed packages the question may have meant: close names, and apps whose label
        /// matches ("TikTok" finds `com.zhiliaoapp.musically (TikTok)`).
        suggestions: Vec<String>,
    },
    /// A scan was asked for before any policy was stored.
    #[error("no policy is active on this device yet: load or sync one first")]
    NoPolicy,
}
