//! The policy: what an organisation says about the apps on its work phones.
//!
//! This module holds the *compiled* document, the JSON that administrators sign and devices
//! evaluate. Administrators write TOML ([`authoring`]); the compiler checks it and emits this.
//! The precedence between rules is written down in `docs/POLICY.md`; [`crate::engine`] implements it.

pub mod authoring;
mod careless;
mod validate;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::digest::{CertDigest, CertFingerprint};
use crate::time::{Span, Timestamp};

pub use validate::{Problem, Segment, expired_exceptions, is_package_name, validate};

/// The schema version this build writes and understands.
pub(crate) const SCHEMA: u32 = 1;

/// The id under which the default decision appears in findings and exceptions.
pub(crate) const DEFAULT_RULE: &str = "default";

/// The rule id of a look-alike finding: a user app carrying a protected package's name.
pub(crate) const LOOK_ALIKE_RULE: &str = "look-alike";

fn current_schema() -> u32 {
    SCHEMA
}

/// A compiled policy document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Document schema version; see [`SCHEMA`].
    #[serde(default = "current_schema")]
    pub schema: u32,
    /// The organisation that issues the policy, checked against the device's enrolment.
    pub organisation: String,
    /// Monotonic version, chosen by the administrator or the signing tool.
    pub version: u64,
    /// When the document was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<Timestamp>,
    /// When the document stops being fresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Timestamp>,
    /// Device groups the policy is meant for; empty means every device of the organisation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Report only, or act.
    pub mode: Mode,
    /// What happens to an app no rule speaks about.
    pub default: DefaultDecision,
    /// Named publishers, referenced by rules.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub publishers: BTreeMap<String, Publisher>,
    /// Groups of device groups with stricter settings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<Tier>,
    /// The rules, in the order the administrator wrote them.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Exceptions to rules, scoped to device groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<Exception>,
    /// Device-owner hardening the policy asks for (`[device]`); see [`crate::DeviceSettings`].
    #[serde(
        default,
        skip_serializing_if = "crate::hardening::DeviceSettings::is_empty"
    )]
    pub device: crate::hardening::DeviceSettings,
    /// How the helpdesk's report speaks (`[report]`): its language and the organisation's zone.
    #[serde(
        default,
        skip_serializing_if = "crate::report_words::ReportSettings::is_default"
    )]
    pub report: crate::report_words::ReportSettings,
}

impl Policy {
    /// Parses and validates a compiled policy document.
    pub fn from_json(bytes: &[u8]) -> Result<Policy, crate::Error> {
        let policy: Policy =
            serde_json::from_slice(bytes).map_err(|e| crate::Error::PolicyDocument {
                reason: format!("line {}, column {}: {e}", e.line(), e.column()),
            })?;
        let mut policy = policy;
        policy.normalise();
        validate(&policy).map_err(|problems| crate::Error::PolicyDocument {
            reason: problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        })?;
        Ok(policy)
    }

    /// The canonical JSON of this document (the bytes that get signed).
    pub fn to_json(&self) -> Vec<u8> {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// A short hash of the rules, publishers, tiers and exceptions, as `status` shows it: two devices
    /// with the same hash enforce the same thing whatever the version number says.
    pub fn rules_hash(&self) -> String {
        let body = serde_json::json!({
            "mode": self.mode, "default": self.default, "publishers": self.publishers,
            "tiers": self.tiers, "rules": self.rules, "exceptions": self.exceptions,
            "device": self.device,
        });
        let mut hash = crate::digest::sha256_hex(body.to_string().as_bytes());
        hash.truncate(16);
        hash
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// Report only, or act on the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Report what would have been done; change nothing on the device, tell nobody.
    Monitor,
    /// Act.
    Enforce,
}

/// Allow, or forbid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// The app may stay.
    Allow,
    /// The app is a violation.
    Deny,
}

/// What is done about a violation, weakest first: the order is the escalation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Record it in the compliance report.
    Report,
    /// Record it and tell the employee.
    Warn,
    /// Block launches (the system says the organisation blocked the app).
    Suspend,
    /// Hide the app from the launcher and block it.
    Hide,
    /// Remove the app.
    Uninstall,
}

impl Action {
    /// The lower-case name used in documents and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Report => "report",
            Action::Warn => "warn",
            Action::Suspend => "suspend",
            Action::Hide => "hide",
            Action::Uninstall => "uninstall",
        }
    }

    /// Parses the lower-case name.
    pub fn parse(text: &str) -> Option<Action> {
        Some(match text {
            "report" => Action::Report,
            "warn" => Action::Warn,
            "suspend" => Action::Suspend,
            "hide" => Action::Hide,
            "uninstall" => Action::Uninstall,
            _ => return None,
        })
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Monitor => "monitor",
            Mode::Enforce => "enforce",
        })
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Effect::Allow => "allow",
            Effect::Deny => "deny",
        })
    }
}

/// The decision for apps that no rule matches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultDecision {
    /// `allow` is a deny-list; `deny` is an allow-list (never applied to system apps).
    pub effect: Effect,
    /// What happens to an app the allow-list does not name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// Escalation steps for the default decision.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalation: Vec<Escalation>,
    /// Shown to the employee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Shown to the employee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// A named set of signing certificates and package names, with the publisher's country.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publisher {
    /// Display name.
    pub name: String,
    /// ISO 3166-1 alpha-2 country of the publisher's headquarters, as the policy states it (never
    /// guessed from a certificate subject: real ones say `C=86`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Digests of the publisher's signing certificates: SHA-256, or SHA-1 as indicator feeds give
    /// them (told apart by length).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<CertFingerprint>,
    /// Package names the publisher ships.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<String>,
    /// Full signing certificates (PEM), when known: their SHA-256 is added to `certificates`, and an
    /// adb audit can recognise them from the 32-bit `Signature.hashCode()` that `dumpsys` prints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pem_certificates: Vec<String>,
}

impl Publisher {
    /// The DER of each PEM certificate (the ones that parse; validation reports the others).
    pub(crate) fn certificates_der(&self) -> Vec<Vec<u8>> {
        self.pem_certificates
            .iter()
            .filter_map(|p| pem_der(p).ok())
            .collect()
    }
}

/// The DER inside a PEM `CERTIFICATE` block.
pub fn pem_der(pem: &str) -> Result<Vec<u8>, String> {
    // One PEM decoder for keys and certificates alike.
    match crate::trust::keys::pem_decode(pem, "CERTIFICATE") {
        Some(der) => der.map_err(|e| e.to_string()),
        None => Err("not a PEM certificate (no BEGIN CERTIFICATE line)".into()),
    }
}

impl Policy {
    /// Adds the digest of every PEM certificate to its publisher's digests (the compiler does this
    /// before signing; a device does it in memory for documents that carry only the PEM).
    pub(crate) fn normalise(&mut self) {
        for p in self.publishers.values_mut() {
            for der in p.certificates_der() {
                let d = CertFingerprint::Sha256(CertDigest::of_der(&der));
                if !p.certificates.contains(&d) {
                    p.certificates.push(d);
                }
            }
        }
    }
}

/// Stricter settings for devices in some groups (for example the mayor and aldermen).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// The tier's name, referenced by rules.
    pub name: String,
    /// Device groups in this tier.
    pub groups: Vec<String>,
    /// Overrides the policy's mode for these devices (only ever towards `enforce`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Overrides the policy's default for these devices (only ever towards `deny`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<DefaultDecision>,
}

/// One rule: a match, an effect, and for denials an action with its escalation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Unique id, named in findings, reports and exceptions.
    pub id: String,
    /// Allow or deny.
    pub effect: Effect,
    /// Which apps the rule is about.
    #[serde(rename = "match")]
    pub matcher: Match,
    /// For `deny`: what is done at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// For `deny`: stronger actions after a grace period.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalation: Vec<Escalation>,
    /// Tiers the rule is limited to; empty means every device.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<String>,
    /// Shown to the employee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Shown to the employee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// One step of an escalation ladder: after `after` since the finding started, do `action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// Grace period, counted from when the finding was first seen on this device.
    pub after: Span,
    /// The action from then on.
    pub action: Action,
}

/// Which apps a rule is about. Every criterion given must hold (AND); within a list, any entry
/// may match (OR). A rule with no criterion is rejected by validation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Match {
    /// Exact package names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<String>,
    /// Package-name prefixes (`com.ss.android.`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub package_prefixes: Vec<String>,
    /// Signing-certificate digests (SHA-256, or SHA-1), matched against current signers and the
    /// signing history.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signers: Vec<CertFingerprint>,
    /// Publisher ids: a package matches by the publisher's certificates or package names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub publishers: Vec<String>,
    /// Countries: any publisher of the policy headquartered there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// The installer is one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub installed_by: Vec<String>,
    /// The installer is none of these (an unknown installer counts as none of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_installed_by: Vec<String>,
    /// Lowest long version code, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_version_code: Option<i64>,
    /// Highest long version code, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_version_code: Option<i64>,
    /// System or user app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<AppKind>,
}

impl Match {
    /// True when no criterion is given.
    pub fn is_empty(&self) -> bool {
        self == &Match::default()
    }
}

/// System app (part of the firmware image) or user app.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AppKind {
    /// Part of the system image (including updated system apps).
    System,
    /// Installed by the user or the EMM.
    User,
}

/// Lifts one rule (or the default) for devices in some groups, with a reason and an expiry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// The rule it lifts, or `default` for the allow-list's default denial.
    pub rule: String,
    /// Device groups the exception holds for.
    pub groups: Vec<String>,
    /// Narrows the exception to these packages; empty means every package the rule matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<String>,
    /// Why the exception exists (the primary task that needs the app).
    pub reason: String,
    /// Who may grant or extend it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// When it ends.
    pub expires: Timestamp,
}
