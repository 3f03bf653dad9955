//! `appwacht audit`: a phone checked over adb (or from its saved output) with the agent's engine.
//!
//! The adb commands are run here, not in the core: the core only parses text, so a dump that was
//! mailed in is judged exactly like a phone on the desk.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use agent_core::audit::{AdbDump, Audit, audit, input, parse_dumpsys, parse_pm_list};
use agent_core::trust::sync;
use agent_core::{Enrolment, Policy, Store, Timestamp};

use crate::commands::{load_policy, read, write_atomically};
use crate::{AuditArgs, AuditReport, EXIT_INVALID, Failure};

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
    let (source, dump) = match (&args.from, args.adb) {
        (Some(from), _) => match read_saved(from, err)? {
            Saved::Dump(dump) => (from.display().to_string(), dump),
            // A saved audit is shown again as it was judged, never judged anew.
            Saved::Audit(saved) => return show(&saved, &args, out),
        },
        (None, true) => read_device(&args, err)?,
        (None, false) => {
            return Err(Failure::new(
                "give --adb (a phone on this computer) or --from PATH (saved output: a file, a folder, a .zip)",
            ));
        }
    };
    let (policy, mut enrolment) = policy_for(&args, now)?;
    enrolment.groups.extend(args.groups.iter().cloned());
    enrolment.groups.sort();
    enrolment.groups.dedup();
    enrolment.emm_packages.extend(args.emm.clone());
    let mut dump = dump;
    let mut result = audit(&source, &dump, &policy, &enrolment, now);
    if let Some(mode) = args.pull {
        // The dump's own judgement says which signers are guesses; those APKs are fetched,
        // verified, and the phone judged again with the signers they prove.
        let verified = crate::pull::pull(&args, mode, &mut dump, &result, err)?;
        let _ = writeln!(
            err,
            "{verified} signer(s) verified by full digest from pulled APKs"
        );
        result = audit(&source, &dump, &policy, &enrolment, now);
    }
    if args.list_skipped {
        for s in &dump.skipped {
            writeln!(err, "skipped line {}:{}: {}", s.source, s.line, s.text)?;
        }
        if dump.skipped_lines > dump.skipped.len() {
            writeln!(
                err,
                "… and {} more skipped lines",
                dump.skipped_lines - dump.skipped.len()
            )?;
        }
    }
    show(&result, &args, out)
}

/// Prints an audit as asked (text, JSON, or a report to file); exits 1 when it has violations.
fn show(result: &Audit, args: &AuditArgs, out: &mut dyn Write) -> Result<i32, Failure> {
    match (args.json, args.report) {
        (true, _) => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(result).unwrap_or_default()
        )?,
        (false, Some(AuditReport::Html)) => write!(out, "{}", result.to_html())?,
        (false, _) => write!(out, "{}", result.to_text())?,
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

/// The largest input read (a bugreport's dumpstate is tens of MiB; an APK in an androidqf folder
/// can be larger and is not text anyway).
const MAX_INPUT: u64 = 512 << 20;
/// The most read from one `--from` in all (an archive can claim small entries and hold huge ones).
const MAX_TOTAL: u64 = 1 << 30;

/// One file the audit may read: on disk, or an entry of an archive.
struct Input {
    /// How it is named in messages (`bugreport.zip: bugreport-x.txt`).
    what: String,
    /// Its own file name.
    name: String,
    bytes: Vec<u8>,
}

/// What saved output turned out to hold.
enum Saved {
    /// Package lists, read.
    Dump(AdbDump),
    /// An audit saved earlier with `--json`.
    Audit(Box<Audit>),
}

/// Reads saved output: one file (`dumpsys package`, `pm list packages`, a full dumpsys or
/// bugreport, androidqf's `packages.json`, an audit saved with `--json`), a `.zip` of them (an
/// androidqf or bugreport archive), or a folder (an androidqf output folder). In a folder or an
/// archive, files the audit cannot use are listed and skipped; a single file it cannot use is an
/// error.
fn read_saved(from: &Path, err: &mut dyn Write) -> Result<Saved, Failure> {
    let single = from.is_file() && !is_zip(from);
    let mut skipped_files: Vec<(String, String)> = Vec::new();
    let inputs = collect_inputs(from, &mut skipped_files)?;
    let mut dump = AdbDump::default();
    let mut used = 0;
    for input in inputs {
        let text = match input::decode(&input.what, &input.bytes) {
            Ok(t) => t,
            Err(e) if single => return Err(Failure::new(e.to_string())),
            Err(e) => {
                skipped_files.push((input.what, e.to_string()));
                continue;
            }
        };
        if single && text.trim_start().starts_with('{') {
            let audit: Audit = serde_json::from_str(&text).map_err(|e| {
                Failure::new(format!(
                    "{} is not an audit saved with --json: line {}, column {}: {e}",
                    input.what,
                    e.line(),
                    e.column()
                ))
            })?;
            return Ok(Saved::Audit(Box::new(audit)));
        }
        let what = input.what.clone();
        match input::read_into(&input.what, &input.name, &text, &mut dump, &mut |n| {
            progress(err, &what, n)
        }) {
            Ok(kind) => {
                used += 1;
                let _ = writeln!(err, "{}: read as {}", input.what, kind.as_str());
            }
            Err(e) if single => return Err(Failure::new(e.to_string())),
            Err(e) => skipped_files.push((input.what, e.to_string())),
        }
    }
    for (what, why) in &skipped_files {
        // The reason names the file already when it comes from the input's reader.
        let why = why
            .strip_prefix(what.as_str())
            .map_or(why.as_str(), str::trim_start);
        let _ = writeln!(err, "not used: {what}: {why}");
    }
    if used == 0 {
        return Err(Failure::new(format!(
            "{} holds no package list the audit can read (dumpsys package, pm list packages, a full dumpsys or bugreport, androidqf's packages.json){}",
            from.display(),
            if skipped_files.is_empty() {
                String::new()
            } else {
                format!("; {} file(s) skipped, listed above", skipped_files.len())
            }
        )));
    }
    Ok(Saved::Dump(dump))
}

fn is_zip(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok()
        && magic == *b"PK\x03\x04"
}

/// Every file under `from` (a file, a folder, or a `.zip`), with archives opened.
fn collect_inputs(from: &Path, skipped: &mut Vec<(String, String)>) -> Result<Vec<Input>, Failure> {
    let mut files = Vec::new();
    if from.is_dir() {
        walk(from, 0, &mut files)
            .map_err(|e| Failure::new(format!("cannot read the folder {}: {e}", from.display())))?;
        files.sort();
        if files.is_empty() {
            return Err(Failure::new(format!(
                "{} holds no files: expected saved adb output ({DUMPSYS_FILE}, {PM_LIST_FILE}) or an androidqf folder",
                from.display()
            )));
        }
    } else {
        files.push(from.to_path_buf());
    }
    let mut inputs = Vec::new();
    for file in files {
        let what = file.display().to_string();
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        if is_zip(&file) {
            read_zip(&file, &mut inputs, skipped)?;
        } else if size > MAX_INPUT
            || inputs.iter().map(|i| i.bytes.len() as u64).sum::<u64>() + size > MAX_TOTAL
        {
            skipped.push((
                what,
                format!(
                    "larger than {} MiB, or than what is left of the {} MiB read from one input",
                    MAX_INPUT >> 20,
                    MAX_TOTAL >> 20
                ),
            ));
        } else {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            inputs.push(Input {
                what,
                name,
                bytes: read(&file, "saved output")?,
            });
        }
    }
    Ok(inputs)
}

/// The files of a folder, four levels deep at most (androidqf keeps its files at the top).
fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() && depth < 4 {
            walk(&path, depth + 1, out)?;
        } else if path.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

/// The text-sized entries of a `.zip` (an androidqf archive, a bugreport).
fn read_zip(
    file: &Path,
    inputs: &mut Vec<Input>,
    skipped: &mut Vec<(String, String)>,
) -> Result<(), Failure> {
    let shown = file.display().to_string();
    let opened =
        std::fs::File::open(file).map_err(|e| Failure::new(format!("cannot open {shown}: {e}")))?;
    let mut archive = zip::ZipArchive::new(opened)
        .map_err(|e| Failure::new(format!("{shown} is not a readable zip archive: {e}")))?;
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                skipped.push((format!("{shown}: entry {i}"), e.to_string()));
                continue;
            }
        };
        if !entry.is_file() {
            continue;
        }
        // A name that is not valid text is shown as the archive stores it, never as raw bytes.
        let name = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(_) => format!("entry {i}"),
        };
        let what = format!("{shown}: {name}");
        if entry.size() > MAX_INPUT {
            skipped.push((what, format!("larger than {} MiB", MAX_INPUT >> 20)));
            continue;
        }
        let read_so_far: u64 = inputs.iter().map(|i| i.bytes.len() as u64).sum();
        let budget = MAX_INPUT.min(MAX_TOTAL.saturating_sub(read_so_far));
        let mut bytes = Vec::new();
        // Never trust the size the archive claims: read at most the limit, and at most what is
        // left of the whole budget.
        if let Err(e) =
            std::io::Read::read_to_end(&mut std::io::Read::take(&mut entry, budget + 1), &mut bytes)
        {
            skipped.push((what, format!("cannot be unpacked: {e}")));
            continue;
        }
        if bytes.len() as u64 > budget {
            skipped.push((
                what,
                format!(
                    "larger than it says, or than what is left of the {} MiB read from one input",
                    MAX_TOTAL >> 20
                ),
            ));
            continue;
        }
        let base = name.rsplit('/').next().unwrap_or(&name).to_string();
        inputs.push(Input {
            what,
            name: base,
            bytes,
        });
    }
    Ok(())
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
