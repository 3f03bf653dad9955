//! `appwacht demo`: the main job on the built-in example, needing no files.
//!
//! The example policy (`examples/policy.toml`, built from the VNG seed list with the known publisher
//! certificates) and the example phone (`examples/phone.json`, 225 packages) are compiled into the
//! binary. The demo rolls out as an administrator would: a monitor-mode scan first, then the same
//! policy in enforce mode, then the helpdesk report.

use std::io::Write;
use std::path::Path;

use agent_core::policy::authoring;
use agent_core::{
    Enrolment, Inventory, Mode, Outcome, Report, Scope, SimulatedDevice, Store, Timestamp,
};

use crate::Failure;
use crate::commands::{explain_text, scan_simulated, write_atomically};
use crate::render::scan_summary;

/// The example policy.
pub const EXAMPLE_POLICY: &str = include_str!("../../examples/policy.toml");
/// The example phone.
pub const EXAMPLE_PHONE: &str = include_str!("../../examples/phone.json");
/// The example phone's EMM.
pub const EXAMPLE_EMM: &str = "com.airwatch.androidagent";

pub(crate) fn run(keep: Option<&Path>, out: &mut dyn Write) -> Result<i32, Failure> {
    let tmp = tempfile::tempdir()
        .map_err(|e| Failure::new(format!("cannot create a temporary directory: {e}")))?;
    let dir = match keep {
        Some(d) => {
            std::fs::create_dir_all(d)
                .map_err(|e| Failure::new(format!("cannot create {}: {e}", d.display())))?;
            d.to_path_buf()
        }
        None => tmp.path().to_path_buf(),
    };
    let now = Timestamp::now();
    let db = dir.join("compliance.db");
    if db.exists() {
        return Err(Failure::new(format!(
            "{} already exists: give --keep an empty directory",
            db.display()
        )));
    }
    let inventory = Inventory::from_json("examples/phone.json", EXAMPLE_PHONE.as_bytes())?;
    let mut policy = authoring::compile("examples/policy.toml", EXAMPLE_POLICY, now)
        .map_err(agent_core::Error::from)?;
    let mut store = Store::open(&db)?;
    let mut device = SimulatedDevice::new(inventory);
    let enrolment = Enrolment {
        emm_package: Some(EXAMPLE_EMM.to_string()),
        ..Enrolment::in_groups(device.inventory.device.groups.clone())
    };

    writeln!(
        out,
        "Appwacht demo: {} with {} packages ({} system apps), groups {}; policy of {} ({} rules, {} publishers from the seed list)\n",
        device.inventory.device.id,
        device.inventory.packages.len(),
        device
            .inventory
            .packages
            .iter()
            .filter(|p| p.system)
            .count(),
        enrolment.groups.join(", "),
        policy.organisation,
        policy.rules.len(),
        policy.publishers.len()
    )?;

    // Rollout step 1: monitor mode. Nothing on the phone changes; the report says what would.
    policy.mode = Mode::Monitor;
    store.activate_policy(&policy.to_json(), "examples/policy.toml (monitor)", now)?;
    writeln!(out, "== Step 1: monitor mode (report only) ==")?;
    let summary = scan_simulated(
        &mut store,
        &mut device,
        &enrolment,
        Scope::Full,
        "demo",
        now,
    )?;
    write!(out, "{}", scan_summary(&summary))?;
    for f in store.findings()? {
        if f.decision.outcome == Outcome::Denied {
            writeln!(
                out,
                "  would {:<9} {} (rule {})",
                f.action_now.map_or("-", |a| a.as_str()),
                f.decision.package,
                f.decision.rule.as_deref().unwrap_or("-")
            )?;
        }
    }

    // Rollout step 2: the same rules, enforced.
    policy.mode = Mode::Enforce;
    policy.version += 1;
    store.activate_policy(&policy.to_json(), "examples/policy.toml (enforce)", now)?;
    writeln!(out, "\n== Step 2: enforce mode ==")?;
    let summary = scan_simulated(
        &mut store,
        &mut device,
        &enrolment,
        Scope::Full,
        "demo",
        now,
    )?;
    write!(out, "{}", scan_summary(&summary))?;

    let system_total = device
        .inventory
        .packages
        .iter()
        .filter(|p| p.system)
        .count();
    let system_touched = device
        .inventory
        .packages
        .iter()
        .filter(|p| p.system && (p.suspended || p.hidden))
        .count();
    writeln!(
        out,
        "  system apps: {system_total}, blocked: {system_touched} (the allow-list does not apply to the platform's own apps)"
    )?;

    // A second enforce scan with nothing changed does nothing.
    let again = scan_simulated(
        &mut store,
        &mut device,
        &enrolment,
        Scope::Full,
        "demo",
        now,
    )?;
    writeln!(
        out,
        "  scanning again with nothing changed: {} steps\n",
        again.steps.len()
    )?;

    writeln!(out, "== Why is the clone blocked? (appwacht explain) ==")?;
    write!(
        out,
        "{}",
        explain_text(&store, "com.videoedit.promax", false, now)?
    )?;
    writeln!(out, "\n== Why is WeChat allowed? ==")?;
    write!(
        out,
        "{}",
        explain_text(&store, "com.tencent.mm", false, now)?
    )?;

    writeln!(out, "\n== The helpdesk report (appwacht report) ==")?;
    write!(out, "{}", Report::build(&store, now)?.to_text())?;
    if let Some(d) = keep {
        write_atomically(&d.join("policy.json"), &policy.to_json())?;
        write_atomically(
            &d.join("phone-after.json"),
            &serde_json::to_vec_pretty(&device.inventory).unwrap_or_default(),
        )?;
        writeln!(
            out,
            "\nKept in {}: compliance.db, policy.json, phone-after.json. Try: appwacht report --db {} --format html --out report.html",
            d.display(),
            db.display()
        )?;
    }
    Ok(0)
}
