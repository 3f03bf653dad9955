//! Scans: the record of each scan in one transaction, the journal of steps in flight and its
//! reconciliation after a kill, findings, the agent's ownership of blocks, and the inventory
//! snapshot `explain` and the report read.

use std::collections::{HashMap, HashSet};

use rusqlite::params;
use serde::Serialize;

use super::records::{bound, record};
use super::{Store, keys, retention};
use crate::Error;
use crate::enforcement::{Block, Finding, PriorFinding, Step, StepError, StepKind};
use crate::inventory::{Device, Inventory, Package};
use crate::policy::{Action, Mode};
use crate::records::Kind;
use crate::time::Timestamp;

/// A block the agent placed and holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OwnedBlock {
    /// The package.
    pub package: String,
    /// Suspend or hide.
    pub block: Block,
    /// Since when.
    pub since: Timestamp,
    /// The rule it was placed for.
    pub rule: Option<String>,
}

/// Everything one scan produced, recorded in one transaction.
pub(crate) struct ScanRecord<'a> {
    /// When the scan started (the single "now" of the scan).
    pub started_at: Timestamp,
    /// What started it.
    pub trigger: &'a str,
    /// The policy version evaluated.
    pub policy_version: u64,
    /// The mode in force.
    pub mode: Mode,
    /// The device.
    pub device: &'a Device,
    /// The enrolment the scan evaluated under (kept so `explain` judges the same way).
    pub enrolment: &'a crate::Enrolment,
    /// The packages scanned (the whole device for a full scan).
    pub packages: &'a [Package],
    /// Whether `packages` is the whole device.
    pub full: bool,
    /// Packages listed but unreadable this time: their findings stay as they were.
    pub unreadable: &'a [crate::inventory::Unreadable],
    /// The findings.
    pub findings: &'a [Finding],
    /// Each step taken and its result.
    pub results: &'a [(Step, Result<(), StepError>)],
    /// Blocks to forget without acting.
    pub stale_ownership: &'a [(String, Block)],
    /// Duration in microseconds.
    pub duration_us: i64,
    /// How far this scan moves the time floor: the time it judged by, but never further ahead of
    /// the signed times than the clock-problem margin (so a clock set years ahead cannot freeze
    /// the device's syncs).
    pub floor_time: Timestamp,
    /// The clock problem this scan saw, in one sentence; none clears a recorded one.
    pub clock_problem: Option<String>,
}

/// A journalled step, the state of its package before it, and whether the platform answered.
struct JournalEntry {
    step: Step,
    /// (suspended, hidden) before the step; none for a row written by an older agent.
    before: Option<(bool, bool)>,
    done: bool,
}

impl Store {
    /// Records a scan, its findings, the steps' results, ownership, compliance records and the
    /// inventory snapshot; clears the journal; applies retention. One transaction.
    pub(crate) fn record_scan(&mut self, rec: &ScanRecord<'_>) -> Result<i64, Error> {
        let prior = self.prior_findings()?;
        let now = rec.started_at;
        let clock_before = self.clock_problem()?;
        let mode_before = self.state(keys::RECORDED_MODE)?;
        self.write(|tx| {
            // Records carry the device id the scan names; write it first.
            // (Written only when it changed: an unchanged row dirties no page on the install path.)
            if !rec.device.id.is_empty() {
                tx.execute(
                    "INSERT INTO state (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value <> excluded.value",
                    params![keys::DEVICE_ID, rec.device.id],
                )?;
            }
            let mut opened_now: Vec<String> = Vec::new();
            let mut resolved_now: Vec<&str> = Vec::new();
            let violations = rec
                .findings
                .iter()
                .filter(|f| f.decision.outcome == crate::Outcome::Denied)
                .count() as i64;
            let excepted = rec.findings.len() as i64 - violations;
            let failures = rec.results.iter().filter(|(_, r)| r.is_err()).count() as i64;
            tx.execute(
                "INSERT INTO scans (started_at, trigger, policy_version, mode, packages, violations, excepted, steps, failures, duration_us)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![now.unix(), rec.trigger, rec.policy_version as i64, rec.mode.to_string(), rec.packages.len() as i64,
                        violations, excepted, rec.results.len() as i64, failures, rec.duration_us],
            )?;
            let scan_id = tx.last_insert_rowid();

            // Findings: replace those of the scanned packages; close the ones that went away.
            let scanned: HashSet<&str> = rec.packages.iter().map(|p| p.name.as_str()).collect();
            let current: HashSet<&str> = rec
                .findings
                .iter()
                .map(|f| f.decision.package.as_str())
                .collect();
            for (package, old) in &prior {
                let unreadable = rec.unreadable.iter().any(|u| u.name == *package);
                let in_scope = (rec.full && !unreadable) || scanned.contains(package.as_str());
                if in_scope && !current.contains(package.as_str()) {
                    tx.execute("DELETE FROM findings WHERE package = ?1", params![package])?;
                    let why = if rec.packages.iter().any(|p| p.name == *package) {
                        "allowed"
                    } else {
                        "removed"
                    };
                    record(
                        tx,
                        now,
                        Kind::FindingResolved,
                        &serde_json::json!({"package": package, "rule": old.rule, "since": old.since, "why": why}),
                    )?;
                    resolved_now.push(package.as_str());
                }
            }
            let warned_now: HashMap<&str, Option<Action>> = rec
                .results
                .iter()
                .filter(|(s, r)| s.kind == StepKind::Warn && r.is_ok())
                .map(|(s, _)| (s.package.as_str(), s.action))
                .collect();
            // "Could not tell" is recorded as such, never as told: the plan warns again next scan.
            let not_told_now: HashMap<&str, String> = rec
                .results
                .iter()
                .filter_map(|(s, r)| match r {
                    Err(StepError::NotTold(why)) if s.kind == StepKind::Warn => {
                        Some((s.package.as_str(), why.clone()))
                    }
                    _ => None,
                })
                .collect();
            for f in rec.findings {
                let mut f = f.clone();
                if let Some(action) = warned_now.get(f.decision.package.as_str()) {
                    f.warned = *action;
                }
                f.not_told = not_told_now.get(f.decision.package.as_str()).cloned();
                let opened = prior
                    .get(&f.decision.package)
                    .is_none_or(|p| p.rule != f.decision.rule);
                let json = to_json(&f)?;
                tx.execute(
                    "INSERT OR REPLACE INTO findings (package, rule, since, enforced_since, last_seen, warned, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![f.decision.package, f.decision.rule, f.since.unix(), f.enforced_since.map(Timestamp::unix), now.unix(),
                            f.warned.map(Action::as_str), json],
                )?;
                if opened {
                    let package = rec.packages.iter().find(|p| p.name == f.decision.package);
                    let taken = rec
                        .results
                        .iter()
                        .any(|(s, r)| s.package == f.decision.package && r.is_ok());
                    record(
                        tx,
                        now,
                        Kind::FindingOpened,
                        &serde_json::json!({
                            "package": f.decision.package,
                            "label": f.label.clone().or_else(|| package.and_then(|p| p.label.clone())),
                            "certificates": package.map(|p| p.signers.clone()).unwrap_or_default(),
                            // What indicator feeds name certificates by, so a fleet can be searched by it.
                            "certificates_sha1": package.map(|p| p.signers_sha1.clone()).unwrap_or_default(),
                            "installer": package.and_then(|p| p.effective_installer().map(str::to_string)),
                            "version_code": package.map(|p| p.version_code),
                            "version_name": package.map(|p| p.version_name.clone()),
                            "rule": f.decision.rule,
                            "outcome": f.decision.outcome,
                            "action": f.action_now,
                            "taken": taken,
                            "held_back": f.held_back,
                            "emm_request": f.emm_request,
                            "mode": rec.mode,
                        }),
                    )?;
                    opened_now.push(f.decision.package.clone());
                }
            }

            // The enforcement log and ownership.
            for u in rec.unreadable {
                record(
                    tx,
                    now,
                    Kind::InventoryUnreadable,
                    &serde_json::json!({"package": u.name, "error": u.error}),
                )?;
            }
            for (step, result) in rec.results {
                let (text, error) = match result {
                    Ok(()) => ("ok", None),
                    Err(e) => ("failed", Some(e.to_string())),
                };
                log_step(tx, now, Some(scan_id), step, text, error.as_deref())?;
                if let (Some((block, placed)), Ok(())) = (step.kind.block(), result) {
                    set_ownership(tx, &step.package, block, placed, now, step.rule.as_deref())?;
                }
                record(
                    tx,
                    now,
                    Kind::Enforcement,
                    &serde_json::json!({
                        "package": step.package, "step": step.kind, "rule": step.rule, "result": text, "error": error,
                    }),
                )?;
            }
            for (package, block) in rec.stale_ownership {
                tx.execute(
                    "DELETE FROM ownership WHERE package = ?1 AND block = ?2",
                    params![package, block.as_str()],
                )?;
            }

            // The inventory snapshot, for `explain` and the report.
            tx.execute(
                "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)",
                params![keys::DEVICE, to_json(rec.device)?],
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)",
                params![keys::ENROLMENT, to_json(rec.enrolment)?],
            )?;
            if rec.full {
                tx.execute("DELETE FROM packages", [])?;
            }
            for p in rec.packages {
                tx.execute(
                    "INSERT OR REPLACE INTO packages (name, json) VALUES (?1, ?2)",
                    params![p.name, to_json(p)?],
                )?;
            }
            tx.execute("DELETE FROM journal", [])?;
            tx.execute(
                "INSERT INTO state (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value
                 WHERE CAST(value AS INTEGER) < CAST(excluded.value AS INTEGER)",
                params![keys::LAST_SCAN, rec.floor_time.unix().to_string()],
            )?;
            match &rec.clock_problem {
                Some(p) => tx.execute(
                    "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)",
                    params![keys::CLOCK_PROBLEM, p],
                )?,
                None => tx.execute(
                    "DELETE FROM state WHERE key = ?1",
                    params![keys::CLOCK_PROBLEM],
                )?,
            };
            tx.execute("DELETE FROM scans WHERE id NOT IN (SELECT id FROM scans ORDER BY id DESC LIMIT ?1)", params![retention::SCANS])?;
            tx.execute("DELETE FROM enforcement_log WHERE id NOT IN (SELECT id FROM enforcement_log ORDER BY id DESC LIMIT ?1)", params![retention::LOG])?;
            // The clock, the mode and powers, and the summary, when they changed.
            if rec.clock_problem != clock_before {
                record(
                    tx,
                    now,
                    Kind::ClockProblem,
                    &serde_json::json!({"problem": rec.clock_problem, "cleared": rec.clock_problem.is_none()}),
                )?;
            }
            let mode_now = serde_json::json!({
                "mode": rec.mode,
                "management": rec.device.powers.as_ref().map(|p| p.management),
                "scopes": rec.device.powers.as_ref().map(|p| p.scopes.clone()).unwrap_or_default(),
                "work_profile": rec.device.powers.as_ref().map(|p| p.work_profile),
            });
            let mode_text = mode_now.to_string();
            if mode_before.as_deref() != Some(mode_text.as_str()) {
                record(tx, now, Kind::Mode, &mode_now)?;
                tx.execute(
                    "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)",
                    params![keys::RECORDED_MODE, mode_text],
                )?;
            }
            if !opened_now.is_empty()
                || !resolved_now.is_empty()
                || !rec.results.is_empty()
                || !rec.unreadable.is_empty()
            {
                record(
                    tx,
                    now,
                    Kind::ScanSummary,
                    &serde_json::json!({
                        "scan": scan_id, "trigger": rec.trigger, "full": rec.full,
                        "packages": rec.packages.len(), "violations": violations, "excepted": excepted,
                        "steps": rec.results.len(), "failures": failures,
                        "opened": opened_now, "resolved": resolved_now,
                        "unreadable": rec.unreadable.len(), "duration_us": rec.duration_us,
                    }),
                )?;
            }
            bound(tx)?;
            Ok(scan_id)
        })
    }

    /// Records that the device forgot a package outside a scan (it was uninstalled): its finding
    /// closes and any block on it is forgotten.
    pub(crate) fn forget_package(&mut self, package: &str, now: Timestamp) -> Result<(), Error> {
        self.write(|tx| {
            if tx.execute("DELETE FROM findings WHERE package = ?1", params![package])? > 0 {
                record(
                    tx,
                    now,
                    Kind::FindingResolved,
                    &serde_json::json!({"package": package, "rule": null, "why": "removed"}),
                )?;
                bound(tx)?;
            }
            tx.execute("DELETE FROM ownership WHERE package = ?1", params![package])?;
            tx.execute("DELETE FROM packages WHERE name = ?1", params![package])?;
            Ok(())
        })
    }

    /// Writes the steps about to be taken, each with its package's state before it (from
    /// `device`), committed before the first one touches the device. Returns each step's journal
    /// id, to mark it done with [`Store::step_done`] once the platform has answered.
    pub(crate) fn journal_steps(
        &mut self,
        steps: &[Step],
        device: &[Package],
        now: Timestamp,
    ) -> Result<Vec<i64>, Error> {
        self.write(|tx| {
            let mut ids = Vec::with_capacity(steps.len());
            for step in steps {
                let json = to_json(step)?;
                let before = device.iter().find(|p| p.name == step.package).map(|p| {
                    serde_json::json!({"suspended": p.suspended, "hidden": p.hidden}).to_string()
                });
                tx.execute(
                    "INSERT INTO journal (at, step, before) VALUES (?1, ?2, ?3)",
                    params![now.unix(), json, before],
                )?;
                ids.push(tx.last_insert_rowid());
            }
            Ok(ids)
        })
    }

    /// Marks a journalled step as carried out: the platform answered that it was done. Only a
    /// step marked done can be adopted after a kill; a block found without it may have been
    /// placed by someone else while the agent was down.
    pub(crate) fn step_done(&mut self, id: i64) -> Result<(), Error> {
        self.conn
            .execute("UPDATE journal SET done = 1 WHERE id = ?1", params![id])
            .map(|_| ())
            .map_err(|s| self.err(s))
    }

    /// Steps journalled by a run that did not get to record its scan.
    pub fn pending_steps(&self) -> Result<Vec<Step>, Error> {
        Ok(self.journal()?.into_iter().map(|j| j.step).collect())
    }

    fn journal(&self) -> Result<Vec<JournalEntry>, Error> {
        let rows = self.query(
            "SELECT step, before, done FROM journal ORDER BY id",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            },
        )?;
        // A row that does not parse is an error, never dropped: a dropped row would be a step in
        // flight the agent forgot, and with it a block it placed and no longer knows is its own.
        rows.into_iter()
            .map(|(step, before, done)| {
                let before: Option<serde_json::Value> =
                    before.and_then(|b| serde_json::from_str(&b).ok());
                Ok(JournalEntry {
                    step: serde_json::from_str(&step).map_err(|e| Error::StoreContents {
                        path: self.path.clone(),
                        reason: format!("a journal row does not parse ({e}): {step}"),
                    })?,
                    before: before.map(|b| {
                        let flag = |k: &str| b.get(k).and_then(|v| v.as_bool()).unwrap_or(true);
                        (flag("suspended"), flag("hidden"))
                    }),
                    done: done != 0,
                })
            })
            .collect()
    }

    /// Reconciles steps left in the journal by an interrupted run with the device's real state.
    /// A block found on the device is adopted only when the agent's own step placed it: the step
    /// was marked done, and the package did not carry the block before it. A block found without
    /// that (the EMM's, or a step the kill cut short) is never adopted, so never lifted. A lift
    /// that happened is forgotten. Returns the steps adopted. One transaction.
    pub(crate) fn recover(
        &mut self,
        device: &[Package],
        now: Timestamp,
    ) -> Result<Vec<Step>, Error> {
        let journal = self.journal()?;
        if journal.is_empty() {
            return Ok(Vec::new());
        }
        let state: HashMap<&str, &Package> = device.iter().map(|p| (p.name.as_str(), p)).collect();
        let mut done = Vec::new();
        self.write(|tx| {
            for entry in &journal {
                let step = &entry.step;
                let Some((block, placed)) = step.kind.block() else {
                    continue;
                };
                let on = state.get(step.package.as_str()).map(|p| match block {
                    Block::Suspend => p.suspended,
                    Block::Hide => p.hidden,
                });
                let before = entry.before.map(|(suspended, hidden)| match block {
                    Block::Suspend => suspended,
                    Block::Hide => hidden,
                });
                // Ours only if our step did it: done, and the package was not so before.
                let ours = entry.done && before == Some(!placed);
                // (A lift that happened is forgotten whoever did it: that is always safe.)
                if placed && on == Some(true) && !ours {
                    log::warn!(
                        "{} carries a {} block the interrupted run did not confirm placing: not adopted",
                        step.package,
                        block.as_str()
                    );
                    continue;
                }
                if on == Some(placed) {
                    set_ownership(tx, &step.package, block, placed, now, step.rule.as_deref())?;
                    log_step(tx, now, None, step, "recovered", None)?;
                    record(
                        tx,
                        now,
                        Kind::Recovery,
                        &serde_json::json!({"package": step.package, "step": step.kind}),
                    )?;
                    done.push(step.clone());
                }
            }
            tx.execute("DELETE FROM journal", [])?;
            bound(tx)
        })?;
        Ok(done)
    }

    /// What the store remembers of current findings.
    pub(crate) fn prior_findings(&self) -> Result<HashMap<String, PriorFinding>, Error> {
        let rows = self.query(
            "SELECT package, rule, since, enforced_since, warned, json FROM findings",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                ))
            },
        )?;
        Ok(rows
            .into_iter()
            .map(|(package, rule, since, enforced_since, warned, json)| {
                let prior = PriorFinding {
                    rule,
                    since: Timestamp::from_unix(since),
                    enforced_since: enforced_since.map(Timestamp::from_unix),
                    warned: warned.as_deref().and_then(Action::parse),
                    action: stored_finding(&json).and_then(|f| f.action_now),
                };
                (package, prior)
            })
            .collect())
    }

    /// Current findings, as recorded by the last scan (sorted by package).
    pub fn findings(&self) -> Result<Vec<Finding>, Error> {
        let rows = self.query("SELECT json FROM findings ORDER BY package", [], |r| {
            r.get::<_, String>(0)
        })?;
        rows.iter()
            .map(|json| {
                stored_finding(json).ok_or_else(|| Error::StoreContents {
                    path: self.path.clone(),
                    reason: "a finding row does not parse".into(),
                })
            })
            .collect()
    }

    /// The blocks the agent placed itself.
    pub fn owned_blocks(&self) -> Result<HashSet<(String, Block)>, Error> {
        let rows = self.query("SELECT package, block FROM ownership", [], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(p, b)| Some((p, Block::parse(&b)?)))
            .collect())
    }

    /// The blocks the agent holds, with since when and the rule, by package.
    pub fn ownership(&self) -> Result<Vec<OwnedBlock>, Error> {
        let rows = self.query(
            "SELECT package, block, since, rule FROM ownership ORDER BY package, block",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            },
        )?;
        Ok(rows
            .into_iter()
            .filter_map(|(package, b, since, rule)| {
                Some(OwnedBlock {
                    package,
                    block: Block::parse(&b)?,
                    since: Timestamp::from_unix(since),
                    rule,
                })
            })
            .collect())
    }

    /// The device and packages as of the last scan.
    /// The device as of the last scan, without its packages: what the install path needs (reading
    /// the whole snapshot there cost milliseconds on a phone of 1,000 apps).
    pub(crate) fn last_device(&self) -> Result<Option<Device>, Error> {
        let Some(device) = self.state(keys::DEVICE)? else {
            return Ok(None);
        };
        serde_json::from_str(&device)
            .map(Some)
            .map_err(|e| Error::StoreContents {
                path: self.path.clone(),
                reason: format!("the stored device does not parse: {e}"),
            })
    }

    pub(crate) fn snapshot(&self) -> Result<Option<Inventory>, Error> {
        let Some(device) = self.last_device()? else {
            return Ok(None);
        };
        let rows = self.query("SELECT json FROM packages ORDER BY name", [], |r| {
            r.get::<_, String>(0)
        })?;
        let packages = rows
            .iter()
            .map(|j| {
                serde_json::from_str(j).map_err(|e| Error::StoreContents {
                    path: self.path.clone(),
                    reason: format!("a stored package does not parse: {e}"),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Some(Inventory {
            device,
            packages,
            unreadable: Vec::new(),
        }))
    }

    /// The enrolment of the last scan.
    pub fn enrolment(&self) -> Result<Option<crate::Enrolment>, Error> {
        Ok(self
            .state(keys::ENROLMENT)?
            .and_then(|j| serde_json::from_str(&j).ok()))
    }
}
fn set_ownership(
    tx: &rusqlite::Transaction<'_>,
    package: &str,
    block: Block,
    placed: bool,
    now: Timestamp,
    rule: Option<&str>,
) -> rusqlite::Result<()> {
    if placed {
        tx.execute(
            "INSERT OR IGNORE INTO ownership (package, block, since, rule) VALUES (?1, ?2, ?3, ?4)",
            params![package, block.as_str(), now.unix(), rule],
        )?;
    } else {
        tx.execute(
            "DELETE FROM ownership WHERE package = ?1 AND block = ?2",
            params![package, block.as_str()],
        )?;
    }
    Ok(())
}

fn log_step(
    tx: &rusqlite::Transaction<'_>,
    now: Timestamp,
    scan: Option<i64>,
    step: &Step,
    result: &str,
    error: Option<&str>,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO enforcement_log (at, scan_id, package, step, rule, result, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![now.unix(), scan, step.package, step.kind.as_str(), step.rule, result, error],
    )?;
    Ok(())
}

/// A value as JSON for the store; a failure is the transaction's error, never an empty string
/// written in its place.
fn to_json(value: &impl Serialize) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

fn stored_finding(json: &str) -> Option<Finding> {
    serde_json::from_str(json).ok()
}
