//! `explain`: why a package fares as it does on this device, from the store's last scan — the
//! helpdesk's question, answered the same way by the CLI and by the phone's dumpsys.

use std::fmt::Write;

use serde::Serialize;

use crate::Error;
use crate::enforcement::Finding;
use crate::engine::{Explanation, MatchStatus, Outcome};
use crate::policy::Mode;
use crate::store::{LogRow, OwnedBlock, Store};
use crate::time::Timestamp;

/// Everything that bears on one package: the engine's explanation under the enrolment of the last
/// scan, the standing finding, the agent's blocks and the enforcement history.
#[derive(Clone, Debug, Serialize)]
pub struct PackageExplanation {
    /// The engine's explanation.
    pub explanation: Explanation,
    /// The app's label at the last scan ("TikTok"), if it has one.
    pub label: Option<String>,
    /// The finding recorded by the last scan, if any.
    pub finding: Option<Finding>,
    /// The organisation whose policy was evaluated.
    pub organisation: String,
    /// The policy's version.
    pub policy_version: u64,
    /// The mode in force on this device.
    pub mode: Mode,
    /// Blocks the agent placed on the package.
    pub blocks: Vec<OwnedBlock>,
    /// The package's last enforcement steps, newest first.
    pub enforcement: Vec<LogRow>,
    /// Who approves exceptions in this policy (the `approved_by` of its exceptions): whom to ask
    /// for one.
    pub approvers: Vec<String>,
}

/// The installed packages a question about `asked` may have meant: an app whose label holds it
/// ("tiktok" → TikTok), then names within a few edits of it, closest first; three at most.
fn suggestions(asked: &str, packages: &[crate::inventory::Package]) -> Vec<String> {
    let wanted = asked.to_lowercase();
    let mut by_label: Vec<String> = packages
        .iter()
        .filter(|p| {
            p.label
                .as_ref()
                .is_some_and(|l| !wanted.is_empty() && l.to_lowercase().contains(&wanted))
        })
        .map(|p| format!("{} ({})", p.name, p.label.as_deref().unwrap_or("")))
        .collect();
    let limit = (asked.chars().count() / 4).clamp(1, 4);
    let mut close: Vec<(usize, &str)> = packages
        .iter()
        .map(|p| {
            (
                crate::words::edit_distance(&wanted, &p.name.to_lowercase()),
                p.name.as_str(),
            )
        })
        .filter(|(d, _)| *d <= limit)
        .collect();
    close.sort();
    for (_, name) in close {
        if !by_label.iter().any(|s| s.starts_with(name)) {
            by_label.push(name.to_string());
        }
    }
    by_label.truncate(3);
    by_label
}

/// Explains a package as of the store's last scan, judged now (by the later of `clock` and the
/// time floor, as scans are), under the enrolment that scan recorded.
pub fn explain(
    store: &mut Store,
    package: &str,
    clock: Timestamp,
) -> Result<PackageExplanation, Error> {
    let engine = store.active_engine()?.ok_or(Error::NoPolicy)?;
    let snapshot = store.snapshot()?.ok_or(Error::NoScan)?;
    let Some(pkg) = snapshot.package(package) else {
        return Err(Error::UnknownPackage {
            package: package.to_string(),
            device: snapshot.device.id.clone(),
            known: snapshot.packages.len(),
            suggestions: suggestions(package, &snapshot.packages),
        });
    };
    let enrolment = store
        .enrolment()?
        .unwrap_or_else(|| crate::Enrolment::in_groups(snapshot.device.groups.clone()));
    let scope = engine.scope(&enrolment);
    let now = clock.max(store.time_floor()?);
    let explanation = engine.explain(pkg, &scope, now);
    let finding = store
        .findings()?
        .into_iter()
        .find(|f| f.decision.package == package);
    let blocks = store
        .ownership()?
        .into_iter()
        .filter(|o| o.package == package)
        .collect();
    let mut approvers: Vec<String> = engine
        .policy()
        .exceptions
        .iter()
        .filter_map(|e| e.approved_by.clone())
        .collect();
    approvers.sort();
    approvers.dedup();
    Ok(PackageExplanation {
        approvers,
        label: pkg.label.clone(),
        explanation,
        finding,
        organisation: engine.policy().organisation.clone(),
        policy_version: engine.policy().version,
        mode: scope.mode,
        blocks,
        enforcement: store.enforcement_log(10, Some(package))?,
    })
}

impl PackageExplanation {
    /// The explanation as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The explanation as text: what the CLI's `explain` and the phone's dumpsys print.
    pub fn to_text(&self) -> String {
        let (x, mode, finding, blocks, log) = (
            &self.explanation,
            self.mode,
            self.finding.as_ref(),
            &self.blocks,
            &self.enforcement,
        );
        let mut o = String::new();
        let d = &x.decision;
        let verdict = match d.outcome {
            Outcome::Protected => "NEVER BLOCKED".to_string(),
            Outcome::Allowed => "ALLOWED".to_string(),
            Outcome::Excepted => "ALLOWED BY EXCEPTION".to_string(),
            Outcome::Denied => {
                let action = finding
                    .and_then(|f| f.action_now)
                    .or(d.action)
                    .map_or("-".to_string(), |a| a.to_string());
                if mode == Mode::Monitor {
                    format!("VIOLATION (would {action}: monitor mode)")
                } else {
                    format!("VIOLATION ({action})")
                }
            }
        };
        let _ = writeln!(o, "{}: {verdict}", d.package);
        if let Some(label) = &self.label {
            let _ = writeln!(
                o,
                "  label: {label} (as the app names itself; never what decides)"
            );
        }
        let _ = writeln!(
            o,
            "  policy: {} version {}, {mode} mode",
            self.organisation, self.policy_version
        );
        let _ = writeln!(
            o,
            "  decided by: {}",
            d.rule.as_deref().unwrap_or("the never-block set")
        );
        let _ = writeln!(o, "  why: {}", d.reason);
        let _ = writeln!(o, "  precedence: {}", x.precedence);
        if let Some(e) = &d.exception {
            let _ = writeln!(
                o,
                "  exception: rule {} for groups {} until {}; approved by {}; reason: {}",
                e.rule,
                e.groups.join(", "),
                e.expires,
                e.approved_by.as_deref().unwrap_or("not recorded"),
                e.reason
            );
        }
        if let Some(f) = finding {
            let _ = writeln!(o, "  finding since: {}", f.since);
            if let Some((at, a)) = f.next_escalation {
                let _ = writeln!(o, "  escalates to {a} at {at}");
            }
        }
        // The employee is told only of a violation, and only once something is enforced.
        if let (Some(m), Outcome::Denied) = (&d.message, d.outcome) {
            let told = if mode == Mode::Monitor {
                "the employee will be told, once enforced"
            } else {
                "the employee is told"
            };
            let _ = writeln!(
                o,
                "  {told}: {m}{}",
                d.link
                    .as_ref()
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default()
            );
        }
        if d.outcome == Outcome::Denied && d.rule.is_some() {
            let who = if self.approvers.is_empty() {
                "the policy records no approver: ask the policy's administrators".to_string()
            } else {
                format!(
                    "ask {} ({} of this policy's exceptions)",
                    self.approvers.join(" or "),
                    if self.approvers.len() == 1 {
                        "the approver"
                    } else {
                        "the approvers"
                    }
                )
            };
            let _ = writeln!(
                o,
                "  an exception: {who}; it names the groups and an end date, and lifts the block at the next sync"
            );
        }
        let _ = writeln!(o, "  rules that match ({}):", x.matches.len());
        if x.matches.is_empty() {
            let _ = writeln!(o, "    none");
        }
        for m in &x.matches {
            let status = match &m.status {
                MatchStatus::Applies => "applies".to_string(),
                MatchStatus::OutOfScope { tiers } => {
                    format!("does not apply here: only for tier {}", tiers.join(", "))
                }
                MatchStatus::Excepted { exception } => format!(
                    "lifted by the exception for {} until {}",
                    exception.groups.join(", "),
                    exception.expires
                ),
            };
            let action = m.action.map(|a| format!(", {a}")).unwrap_or_default();
            let _ = writeln!(o, "    {} ({}{action}): {status}", m.rule, m.effect);
            for r in &m.reasons {
                let _ = writeln!(o, "      - {r}");
            }
        }
        for e in &x.expired_exceptions {
            let _ = writeln!(
                o,
                "  expired exception (no longer applies): rule {} for {} ended {}",
                e.rule,
                e.groups.join(", "),
                e.expires
            );
        }
        if !blocks.is_empty() {
            let _ = writeln!(o, "  blocks placed by the agent:");
            for b in blocks {
                let rule = b.rule.as_deref().unwrap_or("-");
                let _ = writeln!(
                    o,
                    "    {} since {} (rule {rule})",
                    b.block.as_str(),
                    b.since
                );
            }
        }
        if !log.is_empty() {
            let _ = writeln!(o, "  enforcement history:");
            for r in log {
                let _ = writeln!(
                    o,
                    "    {} {} {}{}",
                    r.at,
                    r.step,
                    r.result,
                    r.error
                        .as_ref()
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default()
                );
            }
        }
        o
    }
}
