//! A scan from start to finish: recover an interrupted run, read the device, evaluate, plan,
//! journal, act, record.

use std::time::Instant;

use serde::Serialize;

use crate::Error;
use crate::enforcement::{ManagedDevice, Step, StepError, StepKind, plan};
use crate::engine::{Enrolment, Outcome};
use crate::inventory::{Inventory, Package, Unreadable};
use crate::policy::{Action, Mode};
use crate::powers::Powers;
use crate::store::{ScanRecord, Store};
use crate::time::Timestamp;

/// What a scan did.
#[derive(Clone, Debug, Serialize)]
pub struct ScanSummary {
    /// Row id of the recorded scan.
    pub scan_id: i64,
    /// What started it.
    pub trigger: String,
    /// The policy version evaluated.
    pub policy_version: u64,
    /// The mode in force on this device.
    pub mode: Mode,
    /// Packages evaluated.
    pub packages: usize,
    /// Violations.
    pub violations: usize,
    /// Packages permitted by an exception.
    pub excepted: usize,
    /// Steps taken, with their results.
    pub steps: Vec<StepResult>,
    /// Steps an interrupted earlier run had taken, found on the device and adopted.
    pub recovered: Vec<Step>,
    /// Packages the platform listed but that could not be read (reported, left as they were).
    pub unreadable: Vec<Unreadable>,
    /// The agent's mode and powers as this scan read them, when the phone reported them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub powers: Option<Powers>,
}

/// One step and how it went.
#[derive(Clone, Debug, Serialize)]
pub struct StepResult {
    /// The step.
    #[serde(flatten)]
    pub step: Step,
    /// The platform's error, if it failed (serialised as its message).
    #[serde(serialize_with = "message")]
    pub error: Option<StepError>,
}

fn message<S: serde::Serializer>(error: &Option<StepError>, s: S) -> Result<S::Ok, S::Error> {
    match error {
        Some(e) => s.serialize_str(&e.to_string()),
        None => s.serialize_none(),
    }
}

/// Which packages a scan covers.
#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    /// Every installed package (the periodic safety net).
    Full,
    /// One package, right after it was installed or updated.
    Package(&'a str),
}

/// Runs one scan against the store's active policy and records it. `clock` is the device's
/// clock; the scan judges by the later of it and the time floor ([`crate::clock::judge`]), fixed
/// once for the whole scan, so every grace period and expiry is judged against the same instant
/// and time never runs backwards for enforcement.
pub fn scan(
    store: &mut Store,
    device: &mut dyn ManagedDevice,
    enrolment: &Enrolment,
    scope: Scope<'_>,
    trigger: &str,
    clock: Timestamp,
) -> Result<ScanSummary, Error> {
    let started = Instant::now();
    let engine = store.active_engine()?.ok_or(Error::NoPolicy)?;
    let policy = engine.policy();
    let judged = crate::clock::judge(
        clock,
        store.time_floor()?,
        // The active policy's own issue time counts too (for a policy loaded from a file on the
        // host, the administrator's file is what vouches for it).
        store
            .signed_time()?
            .max(policy.issued_at.unwrap_or(Timestamp::from_unix(0))),
        policy.expires,
    );
    let now = judged.now;
    if let Some(p) = &judged.problem {
        log::warn!("{p}");
    }
    // The whole device for a full scan; for one package only that package (and any left in the
    // journal by an interrupted run), because this path runs on every install.
    let inventory = match scope {
        Scope::Full => device.inventory()?,
        Scope::Package(name) => {
            let mut packages = Vec::new();
            for pending in store
                .pending_steps()?
                .iter()
                .map(|s| s.package.clone())
                .chain([name.to_string()])
            {
                if !packages.iter().any(|p: &Package| p.name == pending) {
                    packages.extend(device.package(&pending)?);
                }
            }
            Inventory {
                device: store.last_device()?.unwrap_or_default(),
                packages,
                unreadable: Vec::new(),
            }
        }
    };
    let mut inventory = inventory;
    if let Some(now) = device.powers()? {
        inventory.device.powers = Some(now);
    }
    let powers = inventory
        .device
        .powers
        .clone()
        .unwrap_or_else(Powers::device_owner);
    let recovered = store.recover(&inventory.packages, now)?;

    let (packages, full) = match scope {
        Scope::Full => (inventory.packages.clone(), true),
        Scope::Package(name) => match inventory.packages.iter().find(|p| p.name == name) {
            Some(p) => (vec![p.clone()], false),
            None => {
                store.forget_package(name, now)?;
                (Vec::new(), false)
            }
        },
    };
    // The per-device never-block set: what the phone says it cannot work without.
    let mut enrolment = enrolment.clone();
    for e in &inventory.device.essentials {
        if !enrolment.device_essentials.contains(e) {
            enrolment.device_essentials.push(e.clone());
        }
    }
    // A scan is the agent's own job on its own phone, and package names are unique on a device:
    // the package with the agent's name is the running agent, so its certificate is the agent's.
    // (Judging a phone the agent is not running on — the audit — has no such shortcut.)
    if enrolment.agent_certificates.is_empty() {
        let own = match inventory.package(&enrolment.agent_package) {
            Some(p) => Some(p.clone()),
            None if matches!(scope, Scope::Package(_)) => {
                device.package(&enrolment.agent_package)?
            }
            None => None,
        };
        enrolment.agent_certificates = own.map(|p| p.signers).unwrap_or_default();
    }
    let enrolment = &enrolment;
    let mut device_scope = engine.scope(enrolment);
    if powers.monitor_only() {
        // Nothing can be enforced, so nothing counts as enforced: no grace period starts, and
        // the record says "would be taken".
        device_scope.mode = Mode::Monitor;
    }
    let decisions = engine.evaluate(&packages, &device_scope, now);
    let prior = store.prior_findings()?;
    let mut plan = plan(
        &decisions,
        &packages,
        &prior,
        // Blocks on packages that could not be read are neither lifted nor forgotten.
        &store
            .owned_blocks()?
            .into_iter()
            .filter(|(p, _)| !inventory.unreadable.iter().any(|u| u.name == *p))
            .collect(),
        device_scope.mode,
        now,
        full,
    );

    if judged.ahead {
        // An uninstall cannot be undone: it waits until the clock can be believed. The suspend
        // planned with it still blocks the app.
        plan.steps.retain(|s| s.kind != StepKind::Uninstall);
        for f in &mut plan.findings {
            if f.action_now == Some(Action::Uninstall) {
                f.held_back = Some(
                    "the uninstall waits: the phone's clock is far ahead of every signed time"
                        .into(),
                );
            }
        }
    }

    powers.limit(&mut plan);
    if powers.monitor_only() {
        // Watching for want of a scope is not the organisation choosing monitor mode: a grace
        // period that had started keeps running, so a scope revoked for a moment neither resets
        // it nor lifts the block when the scope comes back.
        for f in &mut plan.findings {
            f.enforced_since = prior
                .get(&f.decision.package)
                .filter(|p| p.rule == f.decision.rule)
                .and_then(|p| p.enforced_since);
        }
    }

    let journal = store.journal_steps(&plan.steps, &inventory.packages, now)?;
    let mut results: Vec<(Step, Result<(), StepError>)> = Vec::with_capacity(plan.steps.len());
    for (step, id) in plan.steps.iter().zip(journal) {
        let result = device.apply(step);
        store.step_done(id)?;
        results.push((step.clone(), result));
    }
    for u in &inventory.unreadable {
        log::warn!("could not read {}: {}", u.name, u.error);
    }
    if results.iter().any(|(_, r)| r.is_err()) {
        log::warn!(
            "{} of {} enforcement steps failed",
            results.iter().filter(|(_, r)| r.is_err()).count(),
            results.len()
        );
    }

    let violations = plan
        .findings
        .iter()
        .filter(|f| f.decision.outcome == Outcome::Denied)
        .count();
    let record = ScanRecord {
        started_at: now,
        trigger,
        policy_version: engine.policy().version,
        mode: device_scope.mode,
        device: &inventory.device,
        enrolment,
        packages: &packages,
        full,
        unreadable: &inventory.unreadable,
        findings: &plan.findings,
        results: &results,
        stale_ownership: &plan.stale_ownership,
        duration_us: started.elapsed().as_micros() as i64,
        floor_time: judged.floor_time,
        clock_problem: judged.problem.clone(),
    };
    let scan_id = store.record_scan(&record)?;
    Ok(ScanSummary {
        scan_id,
        trigger: trigger.to_string(),
        policy_version: engine.policy().version,
        mode: device_scope.mode,
        packages: packages.len(),
        violations,
        excepted: plan.findings.len() - violations,
        steps: results
            .into_iter()
            .map(|(step, r)| StepResult {
                step,
                error: r.err(),
            })
            .collect(),
        recovered,
        unreadable: inventory.unreadable.clone(),
        powers: inventory.device.powers.clone(),
    })
}

/// What a catch-up did: the packages changed since the stored sequence number, each scanned.
#[derive(Clone, Debug, Serialize)]
pub struct CatchUp {
    /// The sequence number asked from.
    pub from: u32,
    /// The sequence number stored for next time.
    pub to: u32,
    /// Each changed package's scan (an uninstalled one closes its finding).
    pub scans: Vec<ScanSummary>,
}

/// The catch-up at start: scans the packages the platform says changed since the sequence number
/// stored by the last catch-up, then stores the new one. Installs missed while the process was
/// dead are judged within seconds of starting, without a full scan. (The sequence restarts at
/// boot: the app resets it to 0 after `BOOT_COMPLETED`, with [`reset_catch_up`].)
pub fn catch_up(
    store: &mut Store,
    device: &mut dyn ManagedDevice,
    enrolment: &Enrolment,
    now: Timestamp,
) -> Result<CatchUp, Error> {
    let from = store.state_u64(crate::store::keys::CATCH_UP)? as u32;
    let Some(changes) = device.changed_since(from)? else {
        return Ok(CatchUp {
            from,
            to: from,
            scans: Vec::new(),
        });
    };
    let mut scans = Vec::new();
    for name in &changes.packages {
        scans.push(scan(
            store,
            device,
            enrolment,
            Scope::Package(name),
            "catch-up",
            now,
        )?);
    }
    store.set_state(crate::store::keys::CATCH_UP, &changes.sequence.to_string())?;
    Ok(CatchUp {
        from,
        to: changes.sequence,
        scans,
    })
}

/// Forgets the stored sequence number (after a reboot, when the platform's restarts at 0).
pub fn reset_catch_up(store: &mut Store) -> Result<(), Error> {
    store.set_state(crate::store::keys::CATCH_UP, "0")
}
