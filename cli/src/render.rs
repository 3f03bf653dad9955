//! Text the tool prints for scans and explanations.

use std::fmt::Write;

use agent_core::{Explanation, Finding, LogRow, MatchStatus, Mode, Outcome, Policy, ScanSummary};

pub(crate) fn scan_summary(s: &ScanSummary) -> String {
    let mut o = String::new();
    let failed = s.steps.iter().filter(|r| r.error.is_some()).count();
    let _ = writeln!(
        o,
        "Scan #{} ({}), policy v{} in {} mode: {} packages, {} violations, {} excepted; {} steps on the device ({} failed)",
        s.scan_id,
        s.trigger,
        s.policy_version,
        s.mode,
        s.packages,
        s.violations,
        s.excepted,
        s.steps.len(),
        failed
    );
    for r in &s.recovered {
        let _ = writeln!(
            o,
            "  recovered from an interrupted run: {} {} was found done",
            r.kind.as_str(),
            r.package
        );
    }
    for r in &s.steps {
        let rule = r
            .step
            .rule
            .as_deref()
            .map(|x| format!(" (rule {x})"))
            .unwrap_or_default();
        match &r.error {
            None => {
                let _ = writeln!(o, "  {:<9} {}{rule}", r.step.kind.as_str(), r.step.package);
            }
            Some(e) => {
                let _ = writeln!(
                    o,
                    "  {:<9} {}{rule}: FAILED: {e}",
                    r.step.kind.as_str(),
                    r.step.package
                );
            }
        }
    }
    o
}

pub(crate) fn explanation(
    x: &Explanation,
    policy: &Policy,
    mode: Mode,
    finding: Option<&Finding>,
    blocks: &[agent_core::OwnedBlock],
    log: &[LogRow],
) -> String {
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
    let _ = writeln!(
        o,
        "  policy: {} version {}, {mode} mode",
        policy.organisation, policy.version
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
    if let Some(m) = &d.message {
        let _ = writeln!(
            o,
            "  the employee is told: {m}{}",
            d.link
                .as_ref()
                .map(|l| format!(" ({l})"))
                .unwrap_or_default()
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
