//! The helpdesk's audit over adb: what `pm list packages -f -U -i --show-versioncode` and
//! `dumpsys package` print, parsed into an inventory the engine judges exactly as the agent would.
//!
//! The parsers survive what real devices print (Android 7 to 15, vendor additions, split APKs, `=`
//! inside paths, `installer=null`, shared-uid and system packages, users other than 0, truncated
//! output): a line they do not understand is skipped and counted, never fatal. Only text that is not
//! a package dump at all is an error.
//!
//! `dumpsys` prints no certificate digest, only `Signature.hashCode()` of each certificate (Java's
//! `Arrays.hashCode` of the DER, in hex). A signer is therefore recognised only when the policy carries
//! the publisher's full certificate (PEM), and then by a 32-bit hash: the audit says so. androidqf's
//! `packages.json` carries each APK's full certificate SHA-256: where it is present the signer is
//! checked by digest, exactly as the agent checks it ([`input`]).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

pub mod input;
mod render;

use crate::digest::{CertDigest, CertFingerprint, CertSha1};
use crate::engine::{Decision, Engine, Enrolment};
use crate::inventory::Package;
use crate::policy::Policy;
use crate::time::Timestamp;

/// `android.content.pm.Signature.hashCode()`: `java.util.Arrays.hashCode(byte[])` of the DER.
pub fn signature_hash(der: &[u8]) -> u32 {
    der.iter().fold(1i32, |h, &b| {
        h.wrapping_mul(31).wrapping_add(i32::from(b as i8))
    }) as u32
}

/// One package as adb shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AdbPackage {
    /// Package name.
    pub name: String,
    /// `versionCode`.
    pub version_code: i64,
    /// `versionName`.
    pub version_name: String,
    /// `installerPackageName` (or `installer=` from pm); `None` for null.
    pub installer: Option<String>,
    /// `initiatingPackageName` (Android 11+): who really performed the install.
    pub initiating_installer: Option<String>,
    /// `originatingPackageName` (Android 11+).
    pub originating_installer: Option<String>,
    /// `SYSTEM` in the flags.
    pub system: bool,
    /// Hashes of the current signatures.
    pub signatures: Vec<u32>,
    /// Hashes of past signatures (key rotation), where the dump shows them.
    pub past_signatures: Vec<u32>,
    /// Users it is installed for (`User N: installed=true`); empty when the dump does not say.
    pub users: Vec<u32>,
    /// Users for whom it is *not* installed but its data is kept (`installed=false`: what
    /// `pm uninstall -k --user 0` leaves, common on debloated phones).
    pub kept_for: Vec<u32>,
    /// Full certificate SHA-256 digests, where the input has them (androidqf's `packages.json`,
    /// or the APK pulled from the phone and verified).
    pub certificates: Vec<CertDigest>,
    /// Past signers' full SHA-256 digests (a pulled APK's v3 key rotation history).
    pub past_certificates: Vec<CertDigest>,
    /// The same certificates' SHA-1, where the input has them (indicator feeds name signers so).
    pub certificates_sha1: Vec<CertSha1>,
    /// The past signers' SHA-1.
    pub past_certificates_sha1: Vec<CertSha1>,
    /// Where `certificates` come from when they were verified here: the pulled APK, and which
    /// scheme vouched for them.
    pub verified_from: Option<String>,
    /// Why a pulled APK gave no signer (it is not validly signed, or could not be pulled).
    pub pull_problem: Option<String>,
    /// Suspended for user 0 (or the first user listed).
    pub suspended: bool,
    /// Hidden for user 0 (or the first user listed).
    pub hidden: bool,
    /// `firstInstallTime`, as printed.
    pub first_install: Option<String>,
    /// `lastUpdateTime`, as printed.
    pub last_update: Option<String>,
}

/// What the parsers read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AdbDump {
    /// Packages, by name.
    pub packages: BTreeMap<String, AdbPackage>,
    /// Lines the parsers did not understand (skipped).
    pub skipped_lines: usize,
    /// The first [`SKIPPED_KEPT`] of those lines, for `--list-skipped`.
    pub skipped: Vec<SkippedLine>,
}

/// How many skipped lines are kept to be listed (all are counted).
pub const SKIPPED_KEPT: usize = 1000;

/// One line the parsers did not use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkippedLine {
    /// The input it came from.
    pub source: String,
    /// Its line number (1-based; 0 when the input has no lines, as in JSON).
    pub line: usize,
    /// The line, cut to 200 characters.
    pub text: String,
}

impl AdbDump {
    /// Counts a line the parsers did not use, and keeps it to be listed.
    pub(crate) fn skip(&mut self, source: &str, line: usize, text: &str) {
        self.skipped_lines += 1;
        if self.skipped.len() < SKIPPED_KEPT {
            self.skipped.push(SkippedLine {
                source: source.to_string(),
                line,
                text: text.chars().take(200).collect(),
            });
        }
    }
}

/// Why a dump could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DumpError {
    /// Neither a `dumpsys package` nor a `pm list packages` output.
    #[error("{what} is not the output of `dumpsys package` or `pm list packages`: {reason}")]
    NotADump {
        /// The file or command.
        what: String,
        /// What was found instead.
        reason: String,
    },
}

/// Parses `pm list packages -f -U -i --show-versioncode` into `dump` (filling gaps; dumpsys wins).
/// Returns the number of packages read.
pub fn parse_pm_list(text: &str, dump: &mut AdbDump) -> usize {
    parse_pm_list_named("pm list packages", text, dump)
}

/// [`parse_pm_list`] of the input named `what` (skipped lines are listed with it).
pub fn parse_pm_list_named(what: &str, text: &str, dump: &mut AdbDump) -> usize {
    let mut read = 0;
    for (no, line) in text.lines().enumerate() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("package:") else {
            if !line.is_empty() {
                dump.skip(what, no + 1, line);
            }
            continue;
        };
        // `<path>=<name> versionCode:N uid:U installer=I`; the path may itself hold `=`
        // (`/data/app/~~Ab12==/...`), the name never does, so the name follows the last `=` of the
        // first word. Without -f there is no path.
        let mut words = rest.split_whitespace();
        let first = words.next().unwrap_or("");
        let name = first.rsplit('=').next().unwrap_or(first).to_string();
        if !looks_like_package(&name) {
            dump.skip(what, no + 1, line);
            continue;
        }
        let entry = dump
            .packages
            .entry(name.clone())
            .or_insert_with(|| AdbPackage {
                name,
                ..AdbPackage::default()
            });
        for w in words {
            if let Some(v) = w.strip_prefix("versionCode:") {
                if entry.version_code == 0 {
                    entry.version_code = v.parse().unwrap_or(0);
                }
            } else if let Some(v) = w.strip_prefix("installer=") {
                if entry.installer.is_none() && v != "null" {
                    entry.installer = Some(v.to_string());
                }
            } else if let Some(v) = w.strip_prefix("uid:") {
                // `uid:10123` or, with several users, `uid:10123,1010123`.
                if entry.users.is_empty() {
                    entry.users = v
                        .split(',')
                        .filter_map(|u| u.parse::<u32>().ok())
                        .map(|u| u / 100_000)
                        .collect();
                }
            }
        }
        read += 1;
    }
    read
}

/// Parses `dumpsys package` (the `Packages:` section; hidden system packages are the factory
/// versions of updated ones and are not separate apps). Calls `progress` every 50 packages.
pub fn parse_dumpsys(
    what: &str,
    text: &str,
    dump: &mut AdbDump,
    progress: &mut dyn FnMut(usize),
) -> Result<usize, DumpError> {
    let mut in_packages = false;
    let mut saw_section = false;
    let mut current: Option<AdbPackage> = None;
    let mut read = 0;
    let mut first_user: Option<u32> = None;
    let mut finish = |pkg: Option<AdbPackage>, dump: &mut AdbDump, read: &mut usize| {
        if let Some(p) = pkg {
            let entry = dump.packages.entry(p.name.clone()).or_default();
            let users = if p.users.is_empty() && p.kept_for.is_empty() {
                std::mem::take(&mut entry.users)
            } else {
                p.users.clone()
            };
            *entry = AdbPackage {
                users,
                installer: p.installer.clone().or(entry.installer.take()),
                certificates: std::mem::take(&mut entry.certificates),
                certificates_sha1: std::mem::take(&mut entry.certificates_sha1),
                ..p
            };
            *read += 1;
            if (*read).is_multiple_of(50) {
                progress(*read);
            }
        }
    };
    for (no, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line == "Packages:" {
            in_packages = true;
            saw_section = true;
            continue;
        }
        if !line.starts_with(' ') && !line.is_empty() && !line.ends_with(" overlay paths:") {
            // Another top-level section ("Hidden system packages:", "Shared users:", ...).
            if in_packages {
                finish(current.take(), dump, &mut read);
            }
            in_packages = false;
            continue;
        }
        if !in_packages {
            continue;
        }
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("Package [") {
            finish(current.take(), dump, &mut read);
            first_user = None;
            // Without the closing bracket the name may be cut short (`Package [com.android.vend`):
            // a package that does not exist must not be judged.
            match rest
                .split_once(']')
                .map(|(n, _)| n)
                .filter(|n| looks_like_package(n))
            {
                Some(name) => {
                    current = Some(AdbPackage {
                        name: name.to_string(),
                        ..AdbPackage::default()
                    })
                }
                None => dump.skip(what, no + 1, t),
            }
            continue;
        }
        let Some(pkg) = current.as_mut() else {
            if !t.is_empty() {
                dump.skip(what, no + 1, t);
            }
            continue;
        };
        if !apply_line(pkg, t, &mut first_user) {
            dump.skip(what, no + 1, t);
        }
    }
    finish(current.take(), dump, &mut read);
    if !saw_section {
        let reason = text
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("it is empty")
            .chars()
            .take(80)
            .collect();
        return Err(DumpError::NotADump {
            what: what.to_string(),
            reason,
        });
    }
    Ok(read)
}

/// Reads one indented line of a package block; false when it is not understood.
fn apply_line(pkg: &mut AdbPackage, t: &str, first_user: &mut Option<u32>) -> bool {
    if let Some(rest) = t.strip_prefix("versionCode=") {
        pkg.version_code = rest
            .split_whitespace()
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
    } else if let Some(v) = t.strip_prefix("versionName=") {
        pkg.version_name = v.to_string();
    } else if let Some(v) = t.strip_prefix("installerPackageName=") {
        pkg.installer = (v != "null" && !v.is_empty()).then(|| v.to_string());
    } else if let Some(v) = t
        .strip_prefix("initiatingPackageName=")
        .or_else(|| t.strip_prefix("installInitiatingPackageName="))
    {
        // AOSP's package dump (`Settings#dumpPackageLPr`, Android 11+) writes
        // `initiatingPackageName=`; session dumps write the `install`-prefixed spelling.
        pkg.initiating_installer = (v != "null" && !v.is_empty()).then(|| v.to_string());
    } else if let Some(v) = t
        .strip_prefix("originatingPackageName=")
        .or_else(|| t.strip_prefix("installOriginatingPackageName="))
    {
        pkg.originating_installer = (v != "null" && !v.is_empty()).then(|| v.to_string());
    } else if let Some(flags) = t
        .strip_prefix("pkgFlags=[")
        .or_else(|| t.strip_prefix("flags=["))
    {
        pkg.system |= flags.split_whitespace().any(|f| f == "SYSTEM");
    } else if let Some(v) = t.strip_prefix("signatures=") {
        // `PackageSignatures{8f9e0a1 version:3, signatures:[89d01293], past signatures:[2606a464 flags: 17]}`
        // or, before Android 9, `PackageSignatures{a1b2c3 [89d01293]}`.
        let (now, past) = match v.find("past signatures:") {
            Some(i) => v.split_at_checked(i).unwrap_or((v, "")),
            None => (v, ""),
        };
        pkg.signatures = hex_list(now.rsplit('[').next().unwrap_or(""));
        pkg.past_signatures = hex_list(past.split('[').nth(1).unwrap_or(""));
    } else if let Some(v) = t.strip_prefix("firstInstallTime=") {
        pkg.first_install = Some(v.to_string());
    } else if let Some(v) = t.strip_prefix("lastUpdateTime=") {
        pkg.last_update = Some(v.to_string());
    } else if let Some(rest) = t.strip_prefix("User ") {
        let Some((id, fields)) = rest.split_once(':') else {
            return false;
        };
        let Ok(id) = id.trim().parse::<u32>() else {
            return false;
        };
        let field = |k: &str| {
            fields
                .split_whitespace()
                .find_map(|w| w.strip_prefix(k))
                .map(|v| v == "true")
        };
        if field("installed=") != Some(false) {
            if !pkg.users.contains(&id) {
                pkg.users.push(id);
            }
        } else if !pkg.kept_for.contains(&id) {
            pkg.kept_for.push(id);
        }
        if first_user.is_none() || id == 0 {
            *first_user = Some(id);
            pkg.suspended = field("suspended=").unwrap_or(false);
            pkg.hidden = field("hidden=").unwrap_or(false);
        }
    } else if t.contains('=')
        || t.contains(':')
        || t.ends_with(']')
        || t.is_empty()
        || looks_like_package(t)
    {
        // The many other `key=value` lines, section headers and permission names: understood as
        // "not needed", so not counted as skipped.
    } else {
        return false;
    }
    true
}

fn hex_list(s: &str) -> Vec<u32> {
    s.split(|c: char| c == ']' || c == ',' || c.is_whitespace())
        .take_while(|w| !w.starts_with("flags"))
        .filter(|w| !w.is_empty() && w.len() <= 8 && w.chars().all(|c| c.is_ascii_hexdigit()))
        .filter_map(|w| u32::from_str_radix(w, 16).ok())
        .collect()
}

pub(crate) fn looks_like_package(name: &str) -> bool {
    !name.is_empty()
        && name.contains('.')
        && name
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        || name == "android"
}

/// How a package's signer was checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "check")]
pub enum SignerCheck {
    /// The input has the full certificate SHA-256 (androidqf's `packages.json`): checked exactly
    /// as the agent checks it.
    ByDigest {
        /// The certificates' SHA-256 digests.
        certificates: Vec<CertDigest>,
        /// The publisher the policy names for one of them, if any.
        publisher: Option<String>,
        /// Set when the APK was pulled from the phone and its signatures verified here: how.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        verified_from: Option<String>,
    },
    /// A signature's hash equals that of a certificate the policy carries: recognised, by a 32-bit hash.
    ByHash {
        /// The certificate's SHA-256.
        certificate: CertDigest,
        /// The publisher it belongs to.
        publisher: String,
        /// The hash that matched.
        hash: String,
        /// Why pulling and verifying the APK did not settle it, when it was tried.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pull_problem: Option<String>,
    },
    /// No signature's hash is one the policy knows: the signer could not be checked.
    Unchecked {
        /// The hashes the dump shows.
        hashes: Vec<String>,
        /// Why pulling and verifying the APK did not settle it, when it was tried.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pull_problem: Option<String>,
    },
}

/// One package's audit: the engine's decision and how its signer was checked.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuditLine {
    /// The decision, exactly as the agent would take it.
    pub decision: Decision,
    /// How the signer was checked.
    pub signer: SignerCheck,
    /// Installed for some user (or the dump does not say). A package whose every user says
    /// `installed=false` is not installed: the agent would not see it, so it is no violation.
    pub installed: bool,
    /// The users it is installed for (0 is the phone's owner; work profiles, Secure Folder and
    /// XSpace are others); empty when the dump does not say.
    pub users: Vec<u32>,
    /// Users whose data of it is kept although it is not installed for them.
    pub kept_for: Vec<u32>,
    /// Who installed it, as the dump says.
    pub installer: Option<String>,
    /// Its version.
    pub version_code: i64,
    /// Its version name.
    pub version_name: String,
    /// A system package.
    pub system: bool,
}

impl AuditLine {
    /// A violation the agent would act on: denied and installed.
    pub fn is_violation(&self) -> bool {
        self.installed && self.decision.outcome == crate::Outcome::Denied
    }
}

/// What the audit judged against: the policy's identity.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuditPolicy {
    /// The organisation.
    pub organisation: String,
    /// The policy's version.
    pub version: u64,
    /// The hash of its rules (what status and the report show).
    pub rules_hash: String,
    /// The SHA-256 of the policy document judged by.
    pub sha256: String,
    /// `monitor` or `enforce`, as the policy says.
    pub mode: String,
}

/// A whole audit.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Audit {
    /// What was audited (serial or file).
    pub source: String,
    /// When it was judged.
    pub judged_at: Timestamp,
    /// The policy it was judged against.
    pub policy: AuditPolicy,
    /// Packages judged.
    pub packages: usize,
    /// Lines skipped.
    pub skipped_lines: usize,
    /// Violations (installed and denied).
    pub violations: usize,
    /// Packages that are not installed for any user (data kept): listed, never counted.
    pub not_installed: usize,
    /// How many signers were checked by full digest (androidqf's `packages.json`).
    pub signers_by_digest: usize,
    /// Every package, sorted by name.
    pub lines: Vec<AuditLine>,
}

/// Judges a dump against a policy, through the agent's own engine.
pub fn audit(
    source: &str,
    dump: &AdbDump,
    policy: &Policy,
    enrolment: &Enrolment,
    now: Timestamp,
) -> Audit {
    let mut known: HashMap<u32, (CertDigest, String)> = HashMap::new();
    let mut publisher_of: HashMap<CertFingerprint, String> = HashMap::new();
    for (id, p) in &policy.publishers {
        for der in p.certificates_der() {
            known.insert(signature_hash(&der), (CertDigest::of_der(&der), id.clone()));
        }
        for d in &p.certificates {
            publisher_of.insert(*d, id.clone());
        }
    }
    let engine = Engine::new(policy.clone());
    let scope = engine.scope(enrolment);
    let mut lines = Vec::new();
    for a in dump.packages.values() {
        // Each hash looked up once: the current signers, then the signing history.
        let current: Vec<(u32, &(CertDigest, String))> = a
            .signatures
            .iter()
            .filter_map(|h| known.get(h).map(|k| (*h, k)))
            .collect();
        let past: Vec<(u32, &(CertDigest, String))> = a
            .past_signatures
            .iter()
            .filter_map(|h| known.get(h).map(|k| (*h, k)))
            .collect();
        let by_digest = !a.certificates.is_empty();
        let package = Package {
            name: a.name.clone(),
            version_code: a.version_code,
            version_name: a.version_name.clone(),
            installer: a.installer.clone(),
            initiating_installer: a.initiating_installer.clone(),
            originating_installer: a.originating_installer.clone(),
            system: a.system,
            signers: if by_digest {
                a.certificates.clone()
            } else {
                current.iter().map(|(_, (d, _))| *d).collect()
            },
            signing_history: if by_digest {
                a.past_certificates.clone()
            } else {
                past.iter().map(|(_, (d, _))| *d).collect()
            },
            signers_sha1: a.certificates_sha1.clone(),
            signing_history_sha1: a.past_certificates_sha1.clone(),
            first_install: now,
            last_update: now,
            suspended: a.suspended,
            hidden: a.hidden,
            label: None,
        };
        let signer = if by_digest {
            SignerCheck::ByDigest {
                certificates: a.certificates.clone(),
                publisher: package
                    .all_fingerprints()
                    .find_map(|d| publisher_of.get(&d).cloned()),
                verified_from: a.verified_from.clone(),
            }
        } else {
            match current.iter().chain(&past).next() {
                Some((h, (d, publisher))) => SignerCheck::ByHash {
                    certificate: *d,
                    publisher: publisher.clone(),
                    hash: format!("{h:x}"),
                    pull_problem: a.pull_problem.clone(),
                },
                None => SignerCheck::Unchecked {
                    hashes: a.signatures.iter().map(|h| format!("{h:x}")).collect(),
                    pull_problem: a.pull_problem.clone(),
                },
            }
        };
        lines.push(AuditLine {
            decision: engine.decide(&package, &scope, now),
            signer,
            installed: !a.users.is_empty() || a.kept_for.is_empty(),
            users: a.users.clone(),
            kept_for: a.kept_for.clone(),
            installer: a.installer.clone(),
            version_code: a.version_code,
            version_name: a.version_name.clone(),
            system: a.system,
        });
    }
    let violations = lines.iter().filter(|l| l.is_violation()).count();
    Audit {
        source: source.to_string(),
        judged_at: now,
        policy: AuditPolicy {
            organisation: policy.organisation.clone(),
            version: policy.version,
            rules_hash: policy.rules_hash(),
            sha256: crate::digest::sha256_hex(&policy.to_json()),
            mode: policy.mode.to_string(),
        },
        packages: lines.len(),
        skipped_lines: dump.skipped_lines,
        violations,
        not_installed: lines.iter().filter(|l| !l.installed).count(),
        signers_by_digest: lines
            .iter()
            .filter(|l| matches!(l.signer, SignerCheck::ByDigest { .. }))
            .count(),
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_dumpsys_prints_is_javas_arrays_hashcode() {
        assert_eq!(signature_hash(&[]), 1);
        assert_eq!(signature_hash(&[0xff]), (31i32 - 1) as u32);
        assert_eq!(
            format!("{:x}", signature_hash(b"abc")),
            format!("{:x}", ((31 * (31 * (31 + 97) + 98)) + 99) as u32)
        );
    }
}
