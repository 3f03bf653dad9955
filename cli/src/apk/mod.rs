//! `appwacht apk inspect`: what an APK says it is (its compiled manifest) and who signed it, by
//! every scheme present — JAR (v1), APK Signature Scheme v2, v3 and v3.1 — each signature and
//! digest checked. A tampered, truncated or unsigned APK is reported as such and is never shown
//! as validly signed. Files are streamed: the v2/v3 content digest reads the file once.

mod axml;
mod cert;
mod crypto;
mod der;
mod jar;
mod sigblock;

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::toml_text::{comment_text, toml_string};
pub(crate) use axml::ManifestInfo;
pub(crate) use cert::Certificate;
use sigblock::Signer;

/// How a scheme stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Verdict {
    /// Signatures and digests check.
    Verified,
    /// Nothing is wrong, but a signature could not be checked (an algorithm ring lacks).
    Unchecked,
    /// A signature or a digest does not check: the APK was changed after signing, or is damaged.
    Invalid,
}

/// One scheme found in the APK.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SchemeReport {
    pub(crate) scheme: &'static str,
    pub(crate) verdict: Verdict,
    pub(crate) signers: Vec<Signer>,
    pub(crate) problems: Vec<String>,
}

/// One APK file.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ApkReport {
    pub(crate) file: String,
    pub(crate) manifest: Option<ManifestInfo>,
    /// The schemes present, in order v1, v2, v3, v3.1.
    pub(crate) schemes: Vec<SchemeReport>,
    /// Problems of the file itself (not a ZIP, truncated, no manifest).
    pub(crate) problems: Vec<String>,
    /// What is worth knowing but does not make it invalid.
    pub(crate) notes: Vec<String>,
    /// `verified`, `unsigned`, `invalid` or `unchecked`.
    pub(crate) verdict: &'static str,
}

impl ApkReport {
    /// The certificates the platform takes as the app's signer: v3.1's, else v3's, else v2's,
    /// else v1's (the newest scheme present wins on the platforms that know it).
    pub(crate) fn signer_certificates(&self) -> Vec<&Certificate> {
        self.schemes
            .iter()
            .rev()
            .find(|s| !s.signers.is_empty())
            .map(|s| {
                s.signers
                    .iter()
                    .filter_map(|g| g.certificates.first())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Past signers from a v3 lineage, oldest first (the current signer excluded).
    pub(crate) fn past_certificates(&self) -> Vec<&Certificate> {
        let current: Vec<agent_core::CertDigest> = self
            .signer_certificates()
            .iter()
            .map(|c| c.sha256)
            .collect();
        let mut out: Vec<&Certificate> = Vec::new();
        for s in &self.schemes {
            for g in &s.signers {
                for l in g.lineage.iter().flatten() {
                    if !current.contains(&l.certificate.sha256)
                        && !out.iter().any(|c| c.sha256 == l.certificate.sha256)
                    {
                        out.push(&l.certificate);
                    }
                }
            }
        }
        out
    }
}

fn verdict(problems: &[String], signers: &[Signer]) -> Verdict {
    if !problems.is_empty() || signers.is_empty() || signers.iter().any(|s| !s.problems.is_empty())
    {
        return Verdict::Invalid;
    }
    let checked = signers
        .iter()
        .all(|s| s.valid_signatures > 0 && s.digests_match && s.unchecked.is_empty());
    if checked {
        Verdict::Verified
    } else {
        Verdict::Unchecked
    }
}

/// Inspects one APK file.
pub(crate) fn inspect(path: &Path) -> ApkReport {
    let file = path.display().to_string();
    let mut report = ApkReport {
        file: file.clone(),
        manifest: None,
        schemes: Vec::new(),
        problems: Vec::new(),
        notes: Vec::new(),
        verdict: "invalid",
    };
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            report.problems.push(format!("cannot open it: {e}"));
            return report;
        }
    };
    // The block schemes first: the ZIP's layout, the signing block, one pass for the digests.
    let layout = match sigblock::layout(&mut f) {
        Ok(l) => l,
        Err(e) => {
            report.problems.push(e);
            return report;
        }
    };
    let mut block_schemes: Vec<sigblock::Parsed> = Vec::new();
    let mut block_problems: Vec<(String, String)> = Vec::new();
    match sigblock::signing_block(&mut f, &layout) {
        Ok(Some((start, pairs))) => {
            for (id, value) in &pairs {
                match sigblock::parse(*id, value) {
                    Some(Ok(p)) => block_schemes.push(p),
                    Some(Err(e)) => block_problems.push((format!("{id:#x}"), e)),
                    None => {}
                }
            }
            let hashes = sigblock::hashes_needed(&block_schemes);
            match sigblock::content_digests(&mut f, &layout, start, &hashes) {
                Ok(computed) => sigblock::finish(&mut block_schemes, &computed),
                Err(e) => report.problems.push(format!("reading the file: {e}")),
            }
        }
        Ok(None) => {}
        Err(e) => report.problems.push(e),
    }
    // The manifest and v1, through the ZIP reader.
    let mut v1 = None;
    match zip::ZipArchive::new(f) {
        Ok(mut zip) => {
            match zip.by_name("AndroidManifest.xml") {
                Ok(entry) => {
                    let mut bytes = Vec::new();
                    match entry.take(16 << 20).read_to_end(&mut bytes) {
                        Ok(_) => match axml::manifest(&bytes) {
                            Ok(m) => report.manifest = Some(m),
                            Err(e) => report.problems.push(e),
                        },
                        Err(e) => report
                            .problems
                            .push(format!("AndroidManifest.xml cannot be read: {e}")),
                    }
                }
                Err(_) => report
                    .problems
                    .push("it holds no AndroidManifest.xml: not an APK".into()),
            }
            v1 = jar::check(&mut zip);
        }
        Err(e) => report.problems.push(format!("not a readable ZIP: {e}")),
    }
    let present: Vec<&'static str> = block_schemes.iter().map(|p| p.name).collect();
    if let Some(v1) = v1 {
        let mut problems = v1.problems;
        for (n, name) in [(2, "v2"), (3, "v3")] {
            if v1.also_signed.contains(&n) && !present.contains(&name) {
                problems.push(format!(
                    "the JAR signature says the APK was also signed with {name}, which is missing: it was stripped"
                ));
            }
        }
        report.schemes.push(SchemeReport {
            scheme: "v1",
            verdict: verdict(&problems, &v1.signers),
            signers: v1.signers,
            problems,
        });
    }
    for p in block_schemes {
        let problems: Vec<String> = Vec::new();
        report.schemes.push(SchemeReport {
            scheme: p.name,
            verdict: verdict(&problems, &p.signers),
            signers: p.signers,
            problems,
        });
    }
    // Android 11 and later refuse an app that targets SDK 30 or later with only a JAR signature.
    if let Some(target) = report.manifest.as_ref().and_then(|m| m.target_sdk)
        && target >= 30
        && !report.schemes.is_empty()
        && report.schemes.iter().all(|s| s.scheme == "v1")
    {
        report.problems.push(format!(
            "it targets SDK {target}, which requires APK Signature Scheme v2 or later; it has only a JAR signature (Android 11 and later refuse to install it)"
        ));
    }
    // What older platforms read (AOSP apksig's `ApkVerifier`): before Android 7.0 (SDK 24) only
    // JAR signatures, before Android 9 (SDK 28) no v3.
    let has = |name: &str| report.schemes.iter().any(|s| s.scheme == name);
    if !report.schemes.is_empty() {
        let min = report
            .manifest
            .as_ref()
            .and_then(|m| m.min_sdk)
            .unwrap_or(1);
        if min < 24 && !has("v1") {
            report.problems.push(format!(
                "it installs from SDK {min}, and Android before 7.0 (SDK 24) reads only JAR signatures: it has none"
            ));
        } else if min < 28 && !has("v1") && !has("v2") {
            // apksigner lets this pass; the platform does not read v3 before Android 9.
            report.notes.push(format!(
                "it installs from SDK {min}, but Android before 9 (SDK 28) reads no v3 signature and it has neither v1 nor v2"
            ));
        }
    }
    for (id, e) in block_problems {
        report.problems.push(format!(
            "the signing block's scheme {id} does not parse: {e}"
        ));
    }
    report.verdict = if !report.problems.is_empty()
        || report.schemes.iter().any(|s| s.verdict == Verdict::Invalid)
    {
        "invalid"
    } else if report.schemes.is_empty() {
        "unsigned"
    } else if report
        .schemes
        .iter()
        .any(|s| s.verdict == Verdict::Unchecked)
    {
        "unchecked"
    } else {
        "verified"
    };
    report
}

/// The APK files an argument names: the file itself, or the APKs inside an `.apks`/`.xapk`
/// archive (a split set), extracted into `scratch`.
pub(crate) fn files(path: &Path, scratch: &Path) -> Result<Vec<PathBuf>, String> {
    let lower = path.to_string_lossy().to_ascii_lowercase();
    if !(lower.ends_with(".apks") || lower.ends_with(".xapk")) {
        return Ok(vec![path.to_path_buf()]);
    }
    let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut zip = zip::ZipArchive::new(f).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| e.to_string())?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        if !name.to_ascii_lowercase().ends_with(".apk") {
            continue;
        }
        let safe: String = name
            .chars()
            .map(|c| if c == '/' || c == '\\' { '_' } else { c })
            .collect();
        let dest = scratch.join(safe);
        let mut w = std::fs::File::create(&dest).map_err(|e| e.to_string())?;
        std::io::copy(&mut entry, &mut w).map_err(|e| format!("{name}: {e}"))?;
        out.push(dest);
    }
    if out.is_empty() {
        return Err(format!("{}: holds no .apk", path.display()));
    }
    Ok(out)
}

/// The APK files read as one app: the same package, the same signers.
pub(crate) fn app_problems(reports: &[ApkReport]) -> Vec<String> {
    let mut out = Vec::new();
    let packages: Vec<&str> = reports
        .iter()
        .filter_map(|r| r.manifest.as_ref()?.package.as_deref())
        .collect();
    if packages.windows(2).any(|w| w[0] != w[1]) {
        out.push(format!(
            "the files are not one app: packages {}",
            packages.join(", ")
        ));
    }
    let signers: Vec<Vec<agent_core::CertDigest>> = reports
        .iter()
        .map(|r| r.signer_certificates().iter().map(|c| c.sha256).collect())
        .collect();
    if signers.windows(2).any(|w| w[0] != w[1]) {
        out.push("the split APKs are not signed by the same certificates".into());
    }
    out
}

/// The report as text.
pub(crate) fn to_text(reports: &[ApkReport], app: &[String]) -> String {
    let mut o = String::new();
    for r in reports {
        let m = r.manifest.clone().unwrap_or_default();
        let _ = writeln!(
            o,
            "{}: {} {} ({}){}, min SDK {}, target SDK {}",
            r.file,
            m.package.as_deref().unwrap_or("?"),
            m.version_name.as_deref().unwrap_or("?"),
            m.version_code.map_or("?".to_string(), |v| v.to_string()),
            m.split
                .as_ref()
                .map(|s| format!(", split {s}"))
                .unwrap_or_default(),
            m.min_sdk.map_or("?".to_string(), |v| v.to_string()),
            m.target_sdk.map_or("?".to_string(), |v| v.to_string()),
        );
        let _ = writeln!(
            o,
            "  {}",
            match r.verdict {
                "verified" => "VERIFIED: every signature and digest checks".to_string(),
                "unsigned" => "UNSIGNED: no signature of any scheme".to_string(),
                "unchecked" =>
                    "NOT FULLY CHECKED: nothing is wrong, but a signature could not be checked"
                        .to_string(),
                _ => "INVALID: not validly signed (changed after signing, or damaged)".to_string(),
            }
        );
        for p in &r.problems {
            let _ = writeln!(o, "  problem: {p}");
        }
        for n in &r.notes {
            let _ = writeln!(o, "  note: {n}");
        }
        for s in &r.schemes {
            let _ = writeln!(o, "  {}: {:?}", s.scheme, s.verdict);
            for p in &s.problems {
                let _ = writeln!(o, "    problem: {p}");
            }
            for (i, g) in s.signers.iter().enumerate() {
                let _ = writeln!(
                    o,
                    "    signer {}{}: {}",
                    i + 1,
                    g.sdk
                        .map(|(a, b)| format!(" (SDK {a}–{b})"))
                        .unwrap_or_default(),
                    g.signatures.join("; ")
                );
                if !g.digests.is_empty() {
                    let _ = writeln!(o, "      digests: {}", g.digests);
                }
                for c in &g.certificates {
                    let _ = writeln!(
                        o,
                        "      certificate {}\n        SHA-256 {}\n        SHA-1   {}\n        key {:?} {} bits",
                        c.subject, c.sha256, c.sha1, c.key, c.key_bits
                    );
                }
                for l in g.lineage.iter().flatten() {
                    let _ = writeln!(
                        o,
                        "      lineage: {} (SHA-256 {}), may: {}",
                        l.certificate.subject,
                        l.certificate.sha256,
                        l.capabilities.join(", ")
                    );
                }
                for p in &g.problems {
                    let _ = writeln!(o, "      problem: {p}");
                }
                for u in &g.unchecked {
                    let _ = writeln!(o, "      not checked: {u}");
                }
            }
        }
    }
    for p in app {
        let _ = writeln!(o, "problem: {p}");
    }
    o
}

/// A `[publishers.ID]` block for a policy, from verified reports only.
pub(crate) fn publisher_toml(reports: &[ApkReport], name: &str, country: &str) -> String {
    let id: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let mut o = String::new();
    let _ = writeln!(
        o,
        "[publishers.{}]",
        if id.is_empty() { "publisher" } else { &id }
    );
    let _ = writeln!(o, "name = {}", toml_string(name));
    let _ = writeln!(o, "country = {}", toml_string(country));
    let _ = writeln!(o, "certificates = [");
    let mut seen: Vec<agent_core::CertDigest> = Vec::new();
    for r in reports {
        for c in r.signer_certificates() {
            if !seen.contains(&c.sha256) {
                let _ = writeln!(
                    o,
                    "    \"{}\", # {} (signer)",
                    c.sha256,
                    comment_text(&c.subject)
                );
                seen.push(c.sha256);
            }
        }
        for c in r.past_certificates() {
            if !seen.contains(&c.sha256) {
                let _ = writeln!(
                    o,
                    "    \"{}\", # {} (past signer, before key rotation)",
                    c.sha256,
                    comment_text(&c.subject)
                );
                seen.push(c.sha256);
            }
        }
    }
    let _ = writeln!(o, "]");
    let mut packages: Vec<&str> = reports
        .iter()
        .filter_map(|r| r.manifest.as_ref()?.package.as_deref())
        .collect();
    packages.dedup();
    let _ = writeln!(
        o,
        "packages = [{}]",
        packages
            .iter()
            .map(|p| toml_string(p))
            .collect::<Vec<_>>()
            .join(", ")
    );
    o
}

/// `appwacht apk inspect FILE...`: exit 0 when every file verifies, 1 when one is unsigned or
/// invalid (or the files are not one app), 2 when one cannot be read.
pub(crate) fn run(
    paths: &[PathBuf],
    publisher: Option<(&str, &str)>,
    json: bool,
    out: &mut dyn std::io::Write,
) -> Result<i32, crate::Failure> {
    let scratch = tempfile::tempdir().map_err(|e| crate::Failure::new(e.to_string()))?;
    let mut reports = Vec::new();
    for p in paths {
        for f in files(p, scratch.path()).map_err(crate::Failure::new)? {
            reports.push(inspect(&f));
        }
    }
    let app = app_problems(&reports);
    let all_verified = reports.iter().all(|r| r.verdict == "verified") && app.is_empty();
    if let Some((name, country)) = publisher {
        if !all_verified {
            write!(out, "{}", to_text(&reports, &app))?;
            return Err(crate::Failure {
                message: "not every file is validly signed: no publisher block is printed for it"
                    .into(),
                code: crate::EXIT_INVALID,
            });
        }
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(crate::Failure {
                message: format!("--country `{country}`: expected two capital letters (ISO 3166)"),
                code: crate::EXIT_INVALID,
            });
        }
        write!(out, "{}", publisher_toml(&reports, name, country))?;
        return Ok(0);
    }
    if json {
        let v = serde_json::json!({"files": reports, "problems": app, "verified": all_verified});
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        )?;
    } else {
        write!(out, "{}", to_text(&reports, &app))?;
    }
    let unreadable = reports
        .iter()
        .any(|r| r.schemes.is_empty() && !r.problems.is_empty());
    Ok(if all_verified {
        0
    } else if unreadable {
        crate::EXIT_FAILURE
    } else {
        crate::EXIT_INVALID
    })
}
