//! Signed policies: keys, DSSE envelopes, the TUF-style root chain, and the sync that follows it.
//!
//! A device acts only on a policy signed by a threshold of the policy keys named in the newest
//! root it trusts; it trusts a new root only if a threshold of the old root's keys **and** of the
//! new root's own keys signed it. The first root is pinned at enrolment. See
//! `docs/TRUST.md` for the threat model this answers and the test of each attack.

pub(crate) mod config;
pub(crate) mod dsse;
pub(crate) mod keys;
pub(crate) mod root;
pub(crate) mod sync;
pub(crate) mod transport;

// What the other crates use: the device's configuration, the signed documents and their keys, the
// sync and its transport. Everything else here is the crate's own.
pub use config::{DeviceConfig, RecordsConfig};
pub use dsse::{Envelope, POLICY_TYPE, ROOT_TYPE, pae};
pub use keys::{KeyError, KeyType, PrivateKey, PublicKey};
pub use root::{RoleName, Root, RootKey, verify_initial, verify_policy, verify_successor};
pub use sync::{POLICY_CAP, PolicyChange, ROOT_CAP, SyncFailure, SyncReport, next_sync, sync};
#[cfg(feature = "https")]
pub use transport::HttpTransport;
pub use transport::{Response, Transport, TransportError};

use crate::time::Timestamp;

/// Why a signed document was not accepted. Each says what was wrong in one sentence.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// The envelope does not parse or carries undecodable data.
    #[error("{0}")]
    Envelope(String),
    /// A key could not be read or used.
    #[error("{0}")]
    Key(#[from] keys::KeyError),
    /// The envelope holds another kind of document.
    #[error("wrong kind of document: expected payload type {expected}, found {found}")]
    PayloadType {
        /// What was expected.
        expected: String,
        /// What the envelope says.
        found: String,
    },
    /// Too few distinct trusted keys signed.
    #[error("not enough valid signatures from the {role} keys: {found} of the {needed} needed")]
    Threshold {
        /// `root` or `policy` (and which root).
        role: String,
        /// Distinct keys whose signature verified.
        found: usize,
        /// The threshold.
        needed: usize,
    },
    /// A root document is malformed or inconsistent.
    #[error("the root document is not valid: {0}")]
    Root(String),
    /// A new root does not follow the trusted one.
    #[error(
        "root version {found} cannot follow the trusted version {trusted}: roots go up one version at a time"
    )]
    RootVersion {
        /// The trusted root's version.
        trusted: u64,
        /// The offered root's version.
        found: u64,
    },
    /// A document has expired.
    #[error("the {what} expired on {at}")]
    Expired {
        /// `root` or `policy`.
        what: &'static str,
        /// When.
        at: Timestamp,
    },
    /// A policy older than the version floor (a rollback or replay).
    #[error("policy version {found} is below the version floor {floor}: refusing a rollback")]
    Rollback {
        /// The offered version.
        found: u64,
        /// The floor.
        floor: u64,
    },
    /// A document of another organisation.
    #[error(
        "the {what} is for organisation `{found}`, but this device is enrolled with `{expected}`"
    )]
    Organisation {
        /// `root` or `policy`.
        what: &'static str,
        /// The enrolment's organisation.
        expected: String,
        /// The document's.
        found: String,
    },
    /// A policy meant for other device groups.
    #[error("the policy is meant for device groups {groups}, and this device is in none of them")]
    NotForThisDevice {
        /// The policy's groups.
        groups: String,
    },
    /// A policy issued implausibly far in the future.
    #[error("the policy says it was issued at {0}, more than a day ahead of this device's time")]
    FromTheFuture(Timestamp),
    /// The verified payload is not a valid policy.
    #[error("the signed policy is not valid: {0}")]
    Policy(String),
    /// The root chain is longer than one update walks; what was verified is kept.
    #[error(
        "more than {0} new root versions in one update: those verified are kept and the next sync continues from them"
    )]
    HopLimit(usize),
    /// A policy under the active version number with other content.
    #[error(
        "the policy served as version {0} differs from the active version {0}: a changed policy needs a new version number, so it was not applied"
    )]
    SameVersionOtherContent(u64),
    /// The download failed.
    #[error("{0}")]
    Transport(#[from] transport::TransportError),
}
