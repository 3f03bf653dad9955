//! One function per subcommand: read the files, call the core, print.

use std::io::Write;
use std::path::Path;

use agent_core::policy::authoring;
use agent_core::{Enrolment, Inventory, Policy, Report, Scope, SimulatedDevice, Store, Timestamp};

use crate::{EXIT_INVALID, Failure, Format, ScanArgs, render};

pub(crate) fn read(path: &Path, what: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path)
        .map_err(|e| Failure::new(format!("cannot read the {what} {}: {e}", path.display())))
}

fn read_text(path: &Path, what: &str) -> Result<String, Failure> {
    String::from_utf8(read(path, what)?)
        .map_err(|_| Failure::new(format!("the {what} {} is not UTF-8 text", path.display())))
}

/// Writes a file whole or not at all: to a temporary file beside it, then renamed over it.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = |e: std::io::Error| Failure::new(format!("cannot write {}: {e}", path.display()));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

fn output(dest: Option<&Path>, bytes: &[u8], out: &mut dyn Write) -> Result<(), Failure> {
    match dest {
        Some(path) => write_atomically(path, bytes),
        None => Ok(out.write_all(bytes)?),
    }
}

/// Loads a policy file: authored TOML, or a compiled JSON document. Returns the compiled bytes.
pub(crate) fn load_policy(path: &Path, now: Timestamp) -> Result<(Vec<u8>, Policy), Failure> {
    let text = read_text(path, "policy")?;
    if text.trim_start().starts_with('{') {
        let policy = Policy::from_json(text.as_bytes()).map_err(|e| Failure {
            message: format!("{}: {e}", path.display()),
            code: EXIT_INVALID,
        })?;
        Ok((text.into_bytes(), policy))
    } else {
        let policy = authoring::compile(&path.display().to_string(), &text, now)
            .map_err(agent_core::Error::from)?;
        Ok((policy.to_json(), policy))
    }
}

pub(crate) fn load_inventory(path: &Path) -> Result<Inventory, Failure> {
    let bytes = read(path, "inventory")?;
    Ok(Inventory::from_json(&path.display().to_string(), &bytes)?)
}

pub(crate) fn policy_check(
    file: &Path,
    json: bool,
    strict: bool,
    emm: &[String],
    out: &mut dyn Write,
) -> Result<i32, Failure> {
    let text = read_text(file, "policy")?;
    let name = file.display().to_string();
    let result = authoring::compile(&name, &text, Timestamp::now());
    let warnings = authoring::warnings(&name, &text, emm).unwrap_or_default();
    let refused = result.is_err() || (strict && !warnings.is_empty());
    if json {
        let problems = result
            .as_ref()
            .err()
            .map(|e| e.0.clone())
            .unwrap_or_default();
        let body = serde_json::json!({"file": name, "valid": !refused, "problems": problems, "warnings": warnings});
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&body).unwrap_or_default()
        )?;
        return Ok(if refused { EXIT_INVALID } else { 0 });
    }
    if result.is_ok() && strict && !warnings.is_empty() {
        return Err(Failure {
            message: format!(
                "{} warning(s) in {} (an error with --strict):\n{}",
                warnings.len(),
                file.display(),
                authoring::CompileErrors(warnings)
            ),
            code: EXIT_INVALID,
        });
    }
    for w in &warnings {
        writeln!(out, "warning: {w}")?;
    }
    match result {
        Ok(policy) => {
            writeln!(
                out,
                "{}: valid: {} version {}, {} mode, default {}, {} rules, {} publishers, {} tiers, {} exceptions (rules hash {})",
                file.display(),
                policy.organisation,
                policy.version,
                policy.mode,
                policy.default.effect,
                policy.rules.len(),
                policy.publishers.len(),
                policy.tiers.len(),
                policy.exceptions.len(),
                policy.rules_hash()
            )?;
            let asked: Vec<&str> = agent_core::Setting::ALL
                .iter()
                .filter(|s| policy.device.wants(**s))
                .map(|s| s.as_str())
                .collect();
            if !asked.is_empty() {
                writeln!(
                    out,
                    "device settings the agent will apply and read back: {}",
                    asked.join(", ")
                )?;
            }
            Ok(0)
        }
        Err(errors) => Err(Failure {
            message: format!(
                "{} problem(s) in {}:\n{errors}",
                errors.0.len(),
                file.display()
            ),
            code: EXIT_INVALID,
        }),
    }
}

pub(crate) fn policy_compile(
    file: &Path,
    dest: Option<&Path>,
    out: &mut dyn Write,
) -> Result<i32, Failure> {
    let text = read_text(file, "policy")?;
    let policy = authoring::compile(&file.display().to_string(), &text, Timestamp::now())
        .map_err(agent_core::Error::from)?;
    let mut bytes = policy.to_json();
    bytes.push(b'\n');
    output(dest, &bytes, out)?;
    Ok(0)
}

pub(crate) fn scan(args: ScanArgs, out: &mut dyn Write) -> Result<i32, Failure> {
    let now = match &args.now {
        Some(t) => Timestamp::parse(t).map_err(|e| Failure::new(format!("--now: {e}")))?,
        None => Timestamp::now(),
    };
    let inventory = load_inventory(&args.inventory)?;
    let mut store = Store::open(&args.db)?;
    let mut enrolment = Enrolment::in_groups(inventory.device.groups.clone());
    match (&args.policy, &args.config) {
        (Some(policy), _) => {
            let (bytes, _) = load_policy(policy, now)?;
            store.activate_policy(&bytes, &policy.display().to_string(), now)?;
        }
        (None, Some(config)) => {
            let config = crate::device::load_config(config)?;
            let from_config = config.enrolment();
            enrolment.groups.extend(from_config.groups);
            enrolment.emm_packages = from_config.emm_packages;
            enrolment.emm_certificates = from_config.emm_certificates;
            enrolment.agent_certificates = from_config.agent_certificates;
            if store.active_policy()?.is_none() {
                return Err(Failure::new(format!(
                    "{} holds no verified policy yet: run `appwacht sync --config ... --db {}` first",
                    args.db.display(),
                    args.db.display()
                )));
            }
        }
        (None, None) => return Err(Failure::new("give --policy FILE or --config FILE")),
    }
    enrolment.groups.extend(args.groups.iter().cloned());
    enrolment.groups.sort();
    enrolment.groups.dedup();
    if let Some(e) = &args.emm
        && !enrolment.emm_packages.contains(e)
    {
        enrolment.emm_packages.push(e.clone());
    }
    let mut device = SimulatedDevice::new(inventory);
    let scope = match &args.package {
        Some(p) => Scope::Package(p),
        None => Scope::Full,
    };
    let trigger = if args.package.is_some() {
        "install"
    } else {
        "full"
    };
    let summary = scan_simulated(&mut store, &mut device, &enrolment, scope, trigger, now)?;
    if let Some(path) = &args.save_device {
        let json = serde_json::to_vec_pretty(&device.inventory).unwrap_or_default();
        write_atomically(path, &json)?;
    }
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&summary).unwrap_or_default()
        )?;
    } else {
        write!(out, "{}", render::scan_summary(&summary))?;
        write!(out, "{}", render::would_have_done(&summary, &store)?)?;
    }
    Ok(0)
}

pub(crate) fn report(
    db: &Path,
    format: Format,
    dest: Option<&Path>,
    out: &mut dyn Write,
) -> Result<i32, Failure> {
    let store = open_existing(db)?;
    let report = Report::build(&store, Timestamp::now())?;
    let text = match format {
        Format::Text => report.to_text(),
        Format::Json => report.to_json() + "\n",
        Format::Html => report.to_html(),
    };
    output(dest, text.as_bytes(), out)?;
    Ok(0)
}

pub(crate) fn open_existing(db: &Path) -> Result<Store, Failure> {
    if !db.exists() {
        return Err(Failure::new(format!(
            "there is no compliance store at {}: run a scan first",
            db.display()
        )));
    }
    Ok(Store::open(db)?)
}

pub(crate) fn explain(
    db: &Path,
    package: &str,
    json: bool,
    out: &mut dyn Write,
) -> Result<i32, Failure> {
    let mut store = open_existing(db)?;
    let text = explain_text(&mut store, package, json, Timestamp::now())?;
    write!(out, "{text}")?;
    Ok(0)
}

pub(crate) fn explain_text(
    store: &mut Store,
    package: &str,
    json: bool,
    now: Timestamp,
) -> Result<String, Failure> {
    let x = agent_core::explain(store, package, now)?;
    Ok(if json {
        x.to_json() + "\n"
    } else {
        x.to_text()
    })
}

/// Scans the simulated device; afterwards `device` holds its state after enforcement.
pub(crate) fn scan_simulated(
    store: &mut Store,
    device: &mut SimulatedDevice,
    enrolment: &Enrolment,
    scope: Scope<'_>,
    trigger: &str,
    now: Timestamp,
) -> Result<agent_core::ScanSummary, Failure> {
    Ok(agent_core::scan(
        store, device, enrolment, scope, trigger, now,
    )?)
}
