//! `appwacht audit`: a phone checked over adb (or from its saved output) with the agent's engine.
//!
//! The adb commands are run here, not in the core: the core only parses text, so a dump that was
//! mailed in is judged exactly like a phone on the desk.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use agent_core::audit::{AdbDump, Audit, SignerCheck, audit, parse_dumpsys, parse_pm_list};
use agent_core::trust::sync;
use agent_core::{Enrolment, Outcome, Policy, Store, Timestamp};

use crate::commands::{load_policy, read, write_atomically};
use crate::{AuditArgs, EXIT_INVALID, Failure};

/// The file names `--save` writes and `--from DIR` looks for first.
const PM_LIST_FILE: &str = "pm-list-packages.txt";
const DUMPSYS_FILE: &str = "dumpsys-package.txt";

/// `pm list packages` with every column; older releases lack `--show-versioncode` (before 9) and
/// print an error instead of packages, so the audit falls back to fewer options.
const PM_LIST: &[&[&str]] = &[
    &[
        "pm",
        "list",
        "packages",
        "-f",
        "-U",
        "-i",
        "--show-versioncode",
    ],
    &["pm", "list", "packages", "-f", "-U", "-i"],
    &["pm", "list", "packages", "-f", "-i"],
];
const DUMPSYS: &[&str] = &["dumpsys", "package"];

pub(crate) fn run(
    args: AuditArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, Failure> {
    let now = Timestamp::now();
    let (policy, enrolment) = policy_for(&args, now)?;
    let (source, dump) = match (&args.from, args.adb) {
        (Some(from), _) => (from.display().to_string(), read_saved(from, err)?),
        (None, true) => read_device(&args, err)?,
        (None, false) => {
            return Err(Failure::new(
                "give --adb (a phone on this computer) or --from DIR|FILE (saved output)",
            ));
        }
    };
    let mut enrolment = enrolment;
    enrolment.groups.extend(args.groups.iter().cloned());
    enrolment.groups.sort();
    enrolment.groups.dedup();
    enrolment.emm_packages.extend(args.emm.clone());
    let result = audit(&source, &dump, &policy, &enrolment, now);
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&result).unwrap_or_default()
        )?;
    } else {
        write!(out, "{}", render(&result, &policy))?;
    }
    Ok(if result.violations > 0 {
        EXIT_INVALID
    } else {
        0
    })
}

/// The policy to judge by, with the enrolment the device configuration gives (groups, EMM, the
/// agent's and EMM's certificates).
fn policy_for(args: &AuditArgs, now: Timestamp) -> Result<(Policy, Enrolment), Failure> {
    if let Some(path) = &args.policy {
        return Ok((load_policy(path, now)?.1, Enrolment::in_groups(Vec::new())));
    }
    let Some(config_path) = &args.config else {
        return Err(Failure::new("give --policy FILE or --config FILE"));
    };
    // The organisation's signed policy, fetched and verified exactly as the agent does, into a
    // store that lives only for this audit.
    let config = crate::device::load_config(config_path)?;
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(&dir.path().join("audit.db"))?;
    let mut transport = crate::device::transport(&config, config_path)?;
    sync(&mut store, &config, &mut transport, now)
        .map_err(|e| Failure::new(format!("cannot fetch the policy: {e}")))?;
    let active = store
        .active_policy()?
        .ok_or_else(|| Failure::new("the mirrors served no policy"))?;
    Ok((active.policy, config.enrolment()))
}

/// Reads saved output: one file of either kind, or a directory of them.
fn read_saved(from: &Path, err: &mut dyn Write) -> Result<AdbDump, Failure> {
    let files: Vec<PathBuf> = if from.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(from)
            .map_err(|e| {
                Failure::new(format!("cannot read the directory {}: {e}", from.display()))
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        files
    } else {
        vec![from.to_path_buf()]
    };
    if files.is_empty() {
        return Err(Failure::new(format!(
            "{} holds no files: expected {DUMPSYS_FILE} and/or {PM_LIST_FILE}",
            from.display()
        )));
    }
    let mut dump = AdbDump::default();
    let mut dumpsys_read = false;
    for file in &files {
        let bytes = read(file, "dump")?;
        // Phones print UTF-8, but a mailed dump may have passed through an editor: be lenient.
        let text = String::from_utf8_lossy(&bytes);
        let what = file.display().to_string();
        if is_pm_list(&text) {
            parse_pm_list(&text, &mut dump);
        } else {
            parse_dumpsys(&what, &text, &mut dump, &mut |n| progress(err, &what, n))
                .map_err(|e| Failure::new(e.to_string()))?;
            dumpsys_read = true;
        }
    }
    if !dumpsys_read && dump.packages.is_empty() {
        return Err(Failure::new(format!(
            "{} holds no `dumpsys package` or `pm list packages` output",
            from.display()
        )));
    }
    Ok(dump)
}

/// Progress while a long dump is read: the helpdesk sees it is not stuck.
fn progress(err: &mut dyn Write, what: &str, packages: usize) {
    let _ = writeln!(err, "{what}: {packages} packages read");
}

fn is_pm_list(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim_start().starts_with("package:"))
}

/// Runs adb against the phone, saving its output first when asked.
fn read_device(args: &AuditArgs, err: &mut dyn Write) -> Result<(String, AdbDump), Failure> {
    let source = args
        .serial
        .clone()
        .unwrap_or_else(|| "the connected phone".to_string());
    let mut dump = AdbDump::default();
    let _ = writeln!(err, "asking {source} for its packages (pm list packages)");
    // Since Android 7, adb passes pm's exit status on: a refused option is a failed command, and
    // the next, shorter form is tried. Only when every form fails is the first failure reported
    // (no device, adb not authorised, ...).
    let mut pm_text = String::new();
    let mut first_failure = None;
    for command in PM_LIST {
        match adb(args, command) {
            Ok(text) if is_pm_list(&text) => {
                pm_text = text;
                break;
            }
            Ok(text) => pm_text = text,
            Err(e) => {
                first_failure.get_or_insert(e);
            }
        }
    }
    if let (false, Some(failure)) = (is_pm_list(&pm_text), first_failure) {
        return Err(failure);
    }
    let _ = writeln!(
        err,
        "asking {source} for package details (dumpsys package); this takes a while on a full phone"
    );
    let dumpsys_text = adb(args, DUMPSYS)?;
    if let Some(dir) = &args.save {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::new(format!("cannot create {}: {e}", dir.display())))?;
        write_atomically(&dir.join(PM_LIST_FILE), pm_text.as_bytes())?;
        write_atomically(&dir.join(DUMPSYS_FILE), dumpsys_text.as_bytes())?;
    }
    parse_pm_list(&pm_text, &mut dump);
    let what = format!("`adb shell dumpsys package` on {source}");
    parse_dumpsys(&what, &dumpsys_text, &mut dump, &mut |n| {
        progress(err, "dumpsys package", n)
    })
    .map_err(|e| Failure::new(e.to_string()))?;
    Ok((source, dump))
}

/// One `adb [-s SERIAL] shell ...`; a failure names the command and what adb said.
fn adb(args: &AuditArgs, shell: &[&str]) -> Result<String, Failure> {
    let mut command = Command::new("adb");
    if let Some(serial) = &args.serial {
        command.args(["-s", serial]);
    }
    command.arg("shell").args(shell);
    let shown = format!(
        "adb {}shell {}",
        args.serial
            .as_ref()
            .map(|s| format!("-s {s} "))
            .unwrap_or_default(),
        shell.join(" ")
    );
    let output = command.output().map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::NotFound {
            " (is adb installed and on PATH? Debian: apt install adb)"
        } else {
            ""
        };
        Failure::new(format!("cannot run `{shown}`: {e}{hint}"))
    })?;
    if !output.status.success() {
        return Err(Failure::new(format!(
            "`{shown}` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn render(a: &Audit, policy: &Policy) -> String {
    let mut o = String::new();
    let count = |outcome: Outcome| {
        a.lines
            .iter()
            .filter(|l| l.decision.outcome == outcome)
            .count()
    };
    let _ = writeln!(
        o,
        "Audit of {} against {} policy v{} ({} mode): {} packages, {} violations, {} excepted, {} allowed, {} protected",
        a.source,
        policy.organisation,
        policy.version,
        policy.mode,
        a.packages,
        a.violations,
        count(Outcome::Excepted),
        count(Outcome::Allowed),
        count(Outcome::Protected)
    );
    if a.skipped_lines > 0 {
        let _ = writeln!(
            o,
            "  {} lines of the dump were not understood and were skipped",
            a.skipped_lines
        );
    }
    for outcome in [Outcome::Denied, Outcome::Excepted] {
        for line in a.lines.iter().filter(|l| l.decision.outcome == outcome) {
            let d = &line.decision;
            let label = if outcome == Outcome::Denied {
                "VIOLATION"
            } else {
                "excepted"
            };
            let action = d.action.map(|x| x.as_str()).unwrap_or("none");
            let _ = writeln!(
                o,
                "  {label:<9} {} (rule {}, agent would: {action}): {}",
                d.package,
                d.rule.as_deref().unwrap_or("-"),
                d.reason
            );
            let _ = writeln!(o, "            signer: {}", signer_text(&line.signer));
            // A package outside the owner's user (work profile, Secure Folder, XSpace) is where
            // the helpdesk must look for it.
            if line.users.iter().any(|&u| u != 0) {
                let users: Vec<String> = line.users.iter().map(u32::to_string).collect();
                let _ = writeln!(o, "            installed for users: {}", users.join(", "));
            }
        }
    }
    let unchecked = a
        .lines
        .iter()
        .filter(|l| matches!(l.signer, SignerCheck::Unchecked { .. }))
        .count();
    let _ = writeln!(
        o,
        "Signers: {} recognised by a 32-bit hash of a certificate the policy carries; {unchecked} could not be checked (the policy carries no certificate with their hash)",
        a.packages - unchecked
    );
    o
}

fn signer_text(s: &SignerCheck) -> String {
    match s {
        SignerCheck::ByHash {
            publisher,
            hash,
            certificate,
        } => {
            format!(
                "{publisher} (certificate {}…, matched by its 32-bit hash {hash})",
                &certificate.to_string()[..16]
            )
        }
        SignerCheck::Unchecked { hashes } if hashes.is_empty() => {
            "could not be checked (the dump shows no signature)".to_string()
        }
        SignerCheck::Unchecked { hashes } => format!(
            "could not be checked (hash {} is not one of the policy's certificates)",
            hashes.join(", ")
        ),
    }
}
