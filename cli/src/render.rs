//! Text the tool prints for scans and explanations.

use std::fmt::Write;

use agent_core::ScanSummary;

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
    // What the agent may not do here changes what the lines below mean: say it first.
    if let Some(p) = s.powers.as_ref().filter(|p| !p.cannot().is_empty()) {
        let _ = writeln!(o, "  Management: {}", p.describe());
    }
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

/// What a monitor-mode scan would have done: one line per violation, from the store's findings
/// (the scan itself takes no step). Empty for an enforce-mode scan.
pub(crate) fn would_have_done(
    s: &ScanSummary,
    store: &agent_core::Store,
) -> Result<String, agent_core::Error> {
    let mut o = String::new();
    if s.mode != agent_core::Mode::Monitor {
        return Ok(o);
    }
    for f in store
        .findings()?
        .iter()
        .filter(|f| f.decision.outcome == agent_core::Outcome::Denied)
    {
        let rule = f.decision.rule.as_deref().unwrap_or("-");
        let _ = writeln!(
            o,
            "  would {:<9} {} (rule {rule})",
            f.action_now.map_or("-", |a| a.as_str()),
            f.decision.package
        );
    }
    Ok(o)
}
