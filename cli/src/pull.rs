//! `appwacht audit --adb --pull`: the APKs of the packages whose signer the dump could only match
//! by a 32-bit hash, or not at all (or of every user app, or every app), fetched with
//! `adb shell pm path` and `adb pull` (or `adb exec-out cat` where pull is refused), inspected as
//! `apk inspect` does, and their signers taken by full SHA-256 when every signature and digest
//! verifies. An APK that does not verify gives no signer: the audit says why.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use agent_core::audit::{AdbDump, Audit, SignerCheck};

use crate::{AuditArgs, Failure, Pull};

fn adb_command(args: &AuditArgs) -> Command {
    let mut c = Command::new("adb");
    if let Some(serial) = &args.serial {
        c.args(["-s", serial]);
    }
    c
}

/// A package name as the platform allows them: no shell can read anything else into it.
fn plain(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
}

/// The APK paths `pm path` gives (`package:/data/app/…/base.apk`, one per split).
fn paths(args: &AuditArgs, package: &str) -> Result<Vec<String>, String> {
    let out = adb_command(args)
        .args(["shell", "pm", "path", package])
        .output()
        .map_err(|e| format!("cannot run adb: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`pm path {package}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let found: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("package:"))
        .map(str::to_string)
        .filter(|p| p.starts_with('/') && p.ends_with(".apk") && !p.contains(".."))
        .collect();
    if found.is_empty() {
        return Err(format!("`pm path {package}` names no APK"));
    }
    Ok(found)
}

/// One remote file into `local`: `adb pull`, else `adb exec-out cat` (streamed to the file).
fn fetch(args: &AuditArgs, remote: &str, local: &Path) -> Result<(), String> {
    let pulled = adb_command(args)
        .arg("pull")
        .arg(remote)
        .arg(local)
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run adb: {e}"))?;
    if pulled.status.success() && local.exists() {
        return Ok(());
    }
    let file = std::fs::File::create(local).map_err(|e| e.to_string())?;
    let status = adb_command(args)
        .args(["exec-out", "cat", remote])
        .stdout(file)
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run adb: {e}"))?;
    if status.success() && std::fs::metadata(local).is_ok_and(|m| m.len() > 0) {
        Ok(())
    } else {
        Err(format!(
            "{remote} could not be pulled: {}",
            String::from_utf8_lossy(&pulled.stderr).trim()
        ))
    }
}

/// Pulls and verifies the chosen packages' APKs, filling in their signers by full digest.
pub(crate) fn pull(
    args: &AuditArgs,
    mode: Pull,
    dump: &mut AdbDump,
    first: &Audit,
    err: &mut dyn Write,
) -> Result<usize, Failure> {
    let chosen: Vec<String> = first
        .lines
        .iter()
        .filter(|l| match mode {
            Pull::All => true,
            Pull::User => !l.system,
            // What the dump could only match by hash, or not at all (system apps only when
            // their hash matched: the platform's own are hundreds, and the policy names none).
            Pull::Suspects => match &l.signer {
                SignerCheck::ByDigest { .. } => false,
                SignerCheck::ByHash { .. } => true,
                SignerCheck::Unchecked { .. } => !l.system,
            },
        })
        .map(|l| l.decision.package.clone())
        .filter(|p| plain(p))
        .collect();
    let scratch = tempfile::tempdir().map_err(|e| Failure::new(e.to_string()))?;
    let _ = writeln!(err, "pulling the APKs of {} package(s)", chosen.len());
    let mut verified = 0;
    for (i, name) in chosen.iter().enumerate() {
        let Some(package) = dump.packages.get_mut(name) else {
            continue;
        };
        let dir = scratch.path().join(name);
        let result = (|| -> Result<Vec<crate::apk::ApkReport>, String> {
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            let mut reports = Vec::new();
            for remote in paths(args, name)? {
                let file = remote.rsplit('/').next().unwrap_or("base.apk").to_string();
                let local = dir.join(&file);
                fetch(args, &remote, &local)?;
                reports.push(crate::apk::inspect(&local));
            }
            Ok(reports)
        })();
        if let Some(save) = &args.save {
            let dest = save.join("apks").join(name);
            if std::fs::create_dir_all(&dest).is_ok()
                && let Ok(entries) = std::fs::read_dir(&dir)
            {
                for e in entries.flatten() {
                    let _ = std::fs::copy(e.path(), dest.join(e.file_name()));
                }
            }
        }
        match result {
            Err(e) => package.pull_problem = Some(e),
            Ok(reports) => {
                let app = crate::apk::app_problems(&reports);
                let bad: Vec<String> = reports
                    .iter()
                    .filter(|r| r.verdict != "verified")
                    .map(|r| {
                        let file = Path::new(&r.file)
                            .file_name()
                            .map(|f| f.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        let why = r
                            .problems
                            .iter()
                            .chain(r.schemes.iter().flat_map(|s| {
                                s.problems
                                    .iter()
                                    .chain(s.signers.iter().flat_map(|g| g.problems.iter()))
                            }))
                            .next()
                            .cloned()
                            .unwrap_or_else(|| r.verdict.to_string());
                        format!("{file} is {}: {why}", r.verdict)
                    })
                    .chain(app)
                    .collect();
                if let Some(first_bad) = bad.first() {
                    package.pull_problem = Some(format!("not validly signed ({first_bad})"));
                    package.certificates.clear();
                    package.certificates_sha1.clear();
                    continue;
                }
                let Some(base) = reports.first() else {
                    continue;
                };
                let (current, past) = (base.signer_certificates(), base.past_certificates());
                package.certificates = current.iter().map(|c| c.sha256).collect();
                package.past_certificates = past.iter().map(|c| c.sha256).collect();
                package.certificates_sha1 = current.iter().map(|c| c.sha1).collect();
                package.past_certificates_sha1 = past.iter().map(|c| c.sha1).collect();
                let schemes: Vec<&str> = base.schemes.iter().map(|s| s.scheme).collect();
                package.verified_from = Some(format!(
                    "pulled APK{}, {} verified",
                    if reports.len() > 1 {
                        format!(" set of {}", reports.len())
                    } else {
                        String::new()
                    },
                    schemes.join("+")
                ));
                package.pull_problem = None;
                verified += 1;
            }
        }
        if (i + 1) % 25 == 0 {
            let _ = writeln!(err, "  {} of {} pulled", i + 1, chosen.len());
        }
    }
    Ok(verified)
}
