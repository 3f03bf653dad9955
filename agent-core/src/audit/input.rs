//! What a helpdesk actually has, recognised and decoded: `dumpsys package` and `pm list packages`
//! output as adb prints it, the same saved by Windows PowerShell 5 (UTF-16 with a byte-order mark),
//! a full `dumpsys` or a bugreport's dumpstate (the `DUMP OF SERVICE package:` section inside), and
//! androidqf's `packages.json`, which carries each APK's full certificate SHA-256.
//!
//! Reading files and archives is the caller's job; this module only looks at bytes it is given,
//! and never echoes bytes that are not text.

use serde::Deserialize;

use super::{AdbDump, AdbPackage, parse_dumpsys, parse_pm_list_named};
use crate::digest::{CertDigest, CertSha1};

/// What one input turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `dumpsys package` output.
    Dumpsys,
    /// A full `dumpsys` or a bugreport: the package service's section was used.
    DumpsysSection,
    /// `pm list packages` output.
    PmList,
    /// androidqf's `packages.json`.
    AndroidqfPackages,
}

impl Kind {
    /// In the product's words.
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Dumpsys => "dumpsys package",
            Kind::DumpsysSection => "the package section of a full dumpsys or bugreport",
            Kind::PmList => "pm list packages",
            Kind::AndroidqfPackages => "androidqf packages.json",
        }
    }
}

/// Why an input could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Bytes that are not text.
    #[error("{what} is a binary file, not saved adb output")]
    Binary {
        /// The file.
        what: String,
    },
    /// Text, but nothing the audit reads.
    #[error("{what} holds no package list ({reason})")]
    NotPackages {
        /// The file.
        what: String,
        /// What it seems to be instead.
        reason: String,
    },
    /// A `packages.json` that does not parse.
    #[error("{what} is not an androidqf packages.json: {reason}")]
    BadPackagesJson {
        /// The file.
        what: String,
        /// What is wrong and where.
        reason: String,
    },
}

/// The text of saved output: UTF-8, or UTF-16 with a byte-order mark (what PowerShell 5's `>`
/// writes); carriage returns are dropped. Binary bytes are an error that never shows them.
pub fn decode(what: &str, bytes: &[u8]) -> Result<String, InputError> {
    let utf16 = |le: bool, body: &[u8]| -> Option<String> {
        let units: Vec<u16> = body
            .chunks(2)
            .map(|c| match (c.first(), c.get(1)) {
                (Some(&a), Some(&b)) if le => u16::from_le_bytes([a, b]),
                (Some(&a), Some(&b)) => u16::from_be_bytes([a, b]),
                _ => 0xFFFD,
            })
            .collect();
        String::from_utf16(&units).ok()
    };
    let text = match bytes {
        [0xFF, 0xFE, body @ ..] => utf16(true, body),
        [0xFE, 0xFF, body @ ..] => utf16(false, body),
        [0xEF, 0xBB, 0xBF, body @ ..] => Some(String::from_utf8_lossy(body).into_owned()),
        _ => Some(String::from_utf8_lossy(bytes).into_owned()),
    }
    .ok_or_else(|| InputError::Binary { what: what.into() })?;
    // Text has no NUL and few replacement characters; a zip, an APK or an image has many.
    let sample: Vec<char> = text.chars().take(4096).collect();
    let odd = sample
        .iter()
        .filter(|c| **c == '\0' || **c == '\u{FFFD}' || (c.is_control() && !c.is_whitespace()))
        .count();
    if odd * 20 > sample.len().max(1) || sample.contains(&'\0') {
        return Err(InputError::Binary { what: what.into() });
    }
    Ok(text.replace('\r', ""))
}

/// The package service's part of a full `dumpsys` or of a bugreport's dumpstate: from the line
/// `DUMP OF SERVICE package:` to the next line of dashes (the separator `dumpsys` prints between
/// services), the first such section that lists packages.
pub fn package_section(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(at) = rest.find("DUMP OF SERVICE package:") {
        let after = rest.get(at..)?;
        let body_start = after.find('\n').map_or(after.len(), |i| i + 1);
        let body = after.get(body_start..)?;
        let end = body
            .match_indices('\n')
            .map(|(i, _)| i + 1)
            .find(|&i| body.get(i..).is_some_and(|l| l.starts_with("------------------------------------------------------------------------------")))
            .unwrap_or(body.len());
        let section = body.get(..end)?;
        if section.lines().any(|l| l == "Packages:") {
            return Some(section);
        }
        rest = body.get(end..)?;
    }
    None
}

/// One entry of androidqf's `packages.json` (androidqf `adb/packages.go`: `Package`, its
/// `PackageFile`s, and the certificate as apkverifier's `CertInfo` with capitalised keys).
#[derive(Deserialize)]
struct AqfPackage {
    name: String,
    #[serde(default)]
    installer: Option<String>,
    #[serde(default)]
    system: bool,
    #[serde(default)]
    files: Vec<AqfFile>,
}

#[derive(Deserialize)]
struct AqfFile {
    #[serde(default)]
    certificate: Option<AqfCertificate>,
}

#[derive(Deserialize)]
struct AqfCertificate {
    #[serde(rename = "Sha256", default)]
    sha256: Option<String>,
    #[serde(rename = "Sha1", default)]
    sha1: Option<String>,
}

/// Reads androidqf's `packages.json` into `dump`: names, installers, the system flag, and each
/// APK's full certificate SHA-256 (the signer then is checked by digest, not by
/// the 32-bit hash dumpsys prints). Returns the packages read.
pub fn parse_androidqf_packages(
    what: &str,
    text: &str,
    dump: &mut AdbDump,
) -> Result<usize, InputError> {
    let list: Vec<AqfPackage> =
        serde_json::from_str(text).map_err(|e| InputError::BadPackagesJson {
            what: what.into(),
            reason: format!("line {}, column {}: {e}", e.line(), e.column()),
        })?;
    let mut read = 0;
    let mut bad_digests = Vec::new();
    for p in list {
        if !super::looks_like_package(&p.name) {
            dump.skip(what, 0, &p.name);
            continue;
        }
        let entry = dump
            .packages
            .entry(p.name.clone())
            .or_insert_with(|| AdbPackage {
                name: p.name.clone(),
                ..AdbPackage::default()
            });
        if entry.installer.is_none() {
            entry.installer = p
                .installer
                .filter(|i| !i.is_empty() && i != "null")
                .map(|i| i.to_string());
        }
        entry.system |= p.system;
        // No users from the uid: androidqf lists with `pm list packages -u`, which includes apps
        // removed with their data kept, so the uid says nothing of whom an app is installed for
        // (the `User N: installed=` lines of the dumpsys do).
        for f in p.files {
            // androidqf writes "" when it could not read the certificate.
            let Some(certificate) = f.certificate else {
                continue;
            };
            let Some(text) = certificate.sha256.filter(|d| !d.is_empty()) else {
                continue;
            };
            match CertDigest::parse(&text) {
                Ok(d) => {
                    if !entry.certificates.contains(&d) {
                        entry.certificates.push(d);
                    }
                    // The SHA-1 only beside a SHA-256 that read: it is what indicator feeds name.
                    match certificate
                        .sha1
                        .filter(|d| !d.is_empty())
                        .map(|t| CertSha1::parse(&t))
                    {
                        Some(Ok(d)) if !entry.certificates_sha1.contains(&d) => {
                            entry.certificates_sha1.push(d)
                        }
                        Some(Err(_)) => bad_digests.push((p.name.clone(), "Sha1", "SHA-1")),
                        _ => {}
                    }
                }
                Err(_) => bad_digests.push((p.name.clone(), "Sha256", "SHA-256")),
            }
        }
        read += 1;
    }
    for (name, field, digest) in bad_digests {
        dump.skip(
            what,
            0,
            &format!("{name}: certificate {field} is not a {digest} digest"),
        );
    }
    Ok(read)
}

/// Recognises one decoded input and reads it into `dump`. `name` is the file's own name (a
/// `packages.json` is known by it as well as by its shape).
pub fn read_into(
    what: &str,
    name: &str,
    text: &str,
    dump: &mut AdbDump,
    progress: &mut dyn FnMut(usize),
) -> Result<Kind, InputError> {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let trimmed = first.trim_start();
    if name.ends_with("packages.json") || (trimmed.starts_with('[') && text.contains("\"name\"")) {
        parse_androidqf_packages(what, text, dump)?;
        return Ok(Kind::AndroidqfPackages);
    }
    if trimmed.starts_with("package:") {
        parse_pm_list_named(what, text, dump);
        return Ok(Kind::PmList);
    }
    if let Some(section) = package_section(text) {
        parse_dumpsys(what, section, dump, progress).map_err(|e| InputError::NotPackages {
            what: what.into(),
            reason: e.to_string(),
        })?;
        return Ok(Kind::DumpsysSection);
    }
    match parse_dumpsys(what, text, dump, progress) {
        Ok(_) => Ok(Kind::Dumpsys),
        Err(_) => Err(InputError::NotPackages {
            what: what.into(),
            reason: format!(
                "it starts with \"{}\"",
                first.chars().take(60).collect::<String>()
            ),
        }),
    }
}
