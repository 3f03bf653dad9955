//! The helpdesk's compliance report, built from the store alone: compliant or not, the policy in
//! force, the last sync, each violation with its rule, action and since when, the exceptions in
//! force, and recent history. Rendered as text, JSON or one self-contained HTML page.

use std::fmt::Write;

use serde::Serialize;

use crate::Error;
use crate::engine::{AppliedException, Outcome};
use crate::inventory::Device;
use crate::policy::Action;
use crate::store::{LogRow, ScanRow, Store};
use crate::time::Timestamp;

/// How many scans and log rows the report's history shows.
const HISTORY: i64 = 10;

/// The policy in force, as the report shows it.
#[derive(Clone, Debug, Serialize)]
pub struct PolicySummary {
    /// Issuing organisation.
    pub organisation: String,
    /// Version.
    pub version: u64,
    /// Mode in force on this device at the last scan.
    pub mode: String,
    /// Expiry of the document, if it has one.
    pub expires: Option<Timestamp>,
    /// Whether it has expired (it stays in force, but is stale).
    pub expired: bool,
    /// SHA-256 of the exact bytes.
    pub sha256: String,
    /// Hash of the rules (equal hash, equal enforcement).
    pub rules_hash: String,
    /// Where it came from.
    pub source: String,
    /// When it was stored.
    pub received_at: Timestamp,
}

/// The last attempt to fetch a policy.
#[derive(Clone, Debug, Serialize)]
pub struct SyncSummary {
    /// Last successful sync, if any.
    pub last_success: Option<String>,
    /// Last error, if the last attempt failed.
    pub last_error: Option<String>,
    /// When the last success was, for showing in the organisation's zone.
    #[serde(skip)]
    pub last_success_at: Option<Timestamp>,
}

/// One violation (or excepted package).
#[derive(Clone, Debug, Serialize)]
pub struct ViolationLine {
    /// The package.
    pub package: String,
    /// Its label ("TikTok"), if it has one.
    pub label: Option<String>,
    /// The rule.
    pub rule: Option<String>,
    /// Why.
    pub reason: String,
    /// The action in force now (after escalation).
    pub action: Option<Action>,
    /// `taken`, `would be taken in monitor mode`, `not taken: …`, `taken in part: …` or `failed: …`.
    pub status: String,
    /// Blocks the agent holds on it.
    pub blocks: Vec<String>,
    /// Since when the finding stands.
    pub since: Timestamp,
    /// Next escalation, if due later.
    pub next_escalation: Option<(Timestamp, Action)>,
    /// The employee's message.
    pub message: Option<String>,
    /// The employee's link.
    pub link: Option<String>,
    /// Why the employee could not be told, if the last attempt failed.
    pub not_told: Option<String>,
    /// What the EMM is asked to do because the agent cannot (remove the app).
    pub emm_request: Option<String>,
}

/// An exception and the packages it permits on this device.
#[derive(Clone, Debug, Serialize)]
pub struct ExceptionLine {
    /// The exception.
    #[serde(flatten)]
    pub exception: AppliedException,
    /// Packages it permits now.
    pub packages: Vec<String>,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// When it was made.
    pub generated_at: Timestamp,
    /// The device.
    pub device: Option<Device>,
    /// No violation stands.
    pub compliant: bool,
    /// The policy in force.
    pub policy: Option<PolicySummary>,
    /// The last sync.
    pub sync: SyncSummary,
    /// Violations, by package.
    pub violations: Vec<ViolationLine>,
    /// Exceptions in force.
    pub exceptions: Vec<ExceptionLine>,
    /// Recent scans, newest first.
    pub scans: Vec<ScanRow>,
    /// Recent enforcement, newest first.
    pub enforcement: Vec<LogRow>,
    /// A clock problem the last scan saw: the phone's clock far from every signed time.
    pub clock_problem: Option<String>,
    /// A damaged database moved aside at open, and what became of it.
    pub store_recovered: Option<String>,
    /// How the report speaks (the active policy's `[report]`).
    pub settings: crate::report_words::ReportSettings,
}

impl Report {
    /// Builds the report from the store, with the last 10 scans and 20 enforcement steps.
    pub fn build(store: &Store, now: Timestamp) -> Result<Report, Error> {
        Report::build_with_history(store, now, HISTORY)
    }

    /// Builds the report with the last `history` scans and twice as many enforcement steps.
    pub fn build_with_history(
        store: &Store,
        now: Timestamp,
        history: i64,
    ) -> Result<Report, Error> {
        let history = history.max(1);
        let active = store.active_policy()?;
        let scans = store.recent_scans(history)?;
        let findings = store.findings()?;
        let owned = store.ownership()?;
        let log = store.enforcement_log(history * 2, None)?;
        let monitor = scans.first().is_some_and(|s| s.mode == "monitor");
        let snapshot = store.snapshot()?;

        let mut violations = Vec::new();
        let mut exceptions: Vec<ExceptionLine> = Vec::new();
        for f in findings {
            let d = f.decision;
            if d.outcome == Outcome::Excepted {
                if let Some(e) = d.exception {
                    match exceptions.iter_mut().find(|x| x.exception == e) {
                        Some(line) => line.packages.push(d.package),
                        None => exceptions.push(ExceptionLine {
                            exception: e,
                            packages: vec![d.package],
                        }),
                    }
                }
                continue;
            }
            let blocks: Vec<String> = owned
                .iter()
                .filter(|o| o.package == d.package)
                .map(|o| format!("{} since {}", o.block.as_str(), o.since))
                .collect();
            let last_failure = store
                .enforcement_log(1, Some(&d.package))?
                .into_iter()
                .find(|r| r.result == "failed");
            let status = if let (true, Some(why)) = (monitor, &f.held_back) {
                format!("not taken: {why}")
            } else if monitor {
                "would be taken in monitor mode".to_string()
            } else if let Some(r) = last_failure {
                format!("failed: {} ({})", r.step, r.error.unwrap_or_default())
            } else {
                let wants_block = matches!(
                    f.action_now,
                    Some(Action::Suspend | Action::Hide | Action::Uninstall)
                );
                let blocked_on_device = snapshot
                    .as_ref()
                    .and_then(|s| s.package(&d.package))
                    .is_some_and(|p| p.suspended || p.hidden);
                if wants_block && blocks.is_empty() && blocked_on_device {
                    "already blocked by another party".to_string()
                } else if let Some(why) = &f.held_back {
                    format!("taken in part: {why}")
                } else {
                    "taken".to_string()
                }
            };
            violations.push(ViolationLine {
                label: f.label.clone(),
                package: d.package,
                rule: d.rule,
                reason: d.reason.into_owned(),
                action: f.action_now,
                status,
                blocks,
                since: f.since,
                next_escalation: f.next_escalation,
                message: d.message,
                link: d.link,
                not_told: f.not_told,
                emm_request: f.emm_request,
            });
        }

        let floor = store.time_floor()?;
        let policy = active.as_ref().map(|a| PolicySummary {
            organisation: a.policy.organisation.clone(),
            version: a.policy.version,
            mode: scans
                .first()
                .map_or_else(|| a.policy.mode.to_string(), |s| s.mode.clone()),
            expires: a.policy.expires,
            expired: crate::clock::is_stale(a.policy.expires, now, floor),
            sha256: a.sha256.clone(),
            rules_hash: a.policy.rules_hash(),
            source: a.source.clone(),
            received_at: a.received_at,
        });
        Ok(Report {
            generated_at: now,
            device: snapshot.map(|s| s.device),
            compliant: violations.is_empty(),
            policy,
            sync: SyncSummary {
                last_success: store.last_sync_ok()?.map(|t| t.to_string()),
                last_error: store.last_sync_error()?,
                last_success_at: store.last_sync_ok()?,
            },
            settings: active
                .as_ref()
                .map(|a| a.policy.report.clone())
                .unwrap_or_default(),
            violations,
            exceptions,
            scans,
            enforcement: log,
            clock_problem: store.clock_problem()?,
            store_recovered: store.recovered()?,
        })
    }

    /// What the helpdesk must look at besides the findings, labelled.
    fn problems(&self) -> Vec<(&'static str, &str)> {
        [
            ("Clock problem", self.clock_problem.as_deref()),
            ("Store recovered", self.store_recovered.as_deref()),
        ]
        .into_iter()
        .filter_map(|(l, t)| Some((l, t?)))
        .collect()
    }

    /// The report as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The report as plain text, for a terminal or `dumpsys`.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "Appwacht compliance report, {}", self.generated_at);
        if let Some(d) = &self.device {
            let groups = if d.groups.is_empty() {
                "none".to_string()
            } else {
                d.groups.join(", ")
            };
            let _ = writeln!(
                o,
                "Device: {} (groups: {groups}; Android SDK {})",
                d.id, d.sdk
            );
            if let Some(p) = &d.powers {
                let _ = writeln!(o, "Management: {}", p.describe());
            }
        }
        let _ = writeln!(
            o,
            "Status: {}",
            if self.compliant {
                "COMPLIANT"
            } else {
                "NOT COMPLIANT"
            }
        );
        match &self.policy {
            Some(p) => {
                let _ = writeln!(
                    o,
                    "Policy: {} version {}, mode {}, rules hash {}",
                    p.organisation, p.version, p.mode, p.rules_hash
                );
                let expires = match (p.expires, p.expired) {
                    (Some(e), true) => {
                        format!("EXPIRED on {e} (still enforced until a newer policy arrives)")
                    }
                    (Some(e), false) => format!("expires {e}"),
                    (None, _) => "no expiry".to_string(),
                };
                let _ = writeln!(
                    o,
                    "        {expires}; from {} at {}",
                    p.source, p.received_at
                );
            }
            None => {
                let _ = writeln!(o, "Policy: none active");
            }
        }
        let _ = writeln!(
            o,
            "Last sync: {}",
            match (&self.sync.last_success, &self.sync.last_error) {
                (_, Some(e)) => format!(
                    "FAILED: {e}{}",
                    self.sync
                        .last_success
                        .as_ref()
                        .map(|s| format!(" (last success {s})"))
                        .unwrap_or_default()
                ),
                (Some(s), None) => format!("ok at {s}"),
                (None, None) => "never synced; the policy was loaded from a file".to_string(),
            }
        );
        for (label, text) in self.problems() {
            let _ = writeln!(o, "{label}: {text}");
        }
        let _ = writeln!(o, "\nViolations ({}):", self.violations.len());
        if self.violations.is_empty() {
            let _ = writeln!(o, "  none");
        }
        for v in &self.violations {
            let action = v.action.map_or("-".to_string(), |a| a.to_string());
            let _ = writeln!(
                o,
                "  {}{}  rule {}  action {action}: {}  since {}",
                v.package,
                v.label
                    .as_ref()
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default(),
                v.rule.as_deref().unwrap_or("-"),
                v.status,
                v.since
            );
            let _ = writeln!(o, "      why: {}", v.reason);
            if let Some((at, a)) = v.next_escalation {
                let _ = writeln!(o, "      escalates to {a} at {at}");
            }
            if let Some(m) = &v.message {
                let _ = writeln!(
                    o,
                    "      {}: {m}{}",
                    if v.status.starts_with("taken") || v.status.starts_with("failed") {
                        "employee is told"
                    } else {
                        // Nothing is enforced, so nobody is told yet.
                        "the employee will be told, once enforced"
                    },
                    v.link
                        .as_ref()
                        .map(|l| format!(" ({l})"))
                        .unwrap_or_default()
                );
            }
            if let Some(why) = &v.not_told {
                let _ = writeln!(
                    o,
                    "      employee could NOT be told: {why} (told again at the next scan)"
                );
            }
            if let Some(ask) = &v.emm_request {
                let _ = writeln!(o, "      the EMM is asked to: {ask}");
            }
        }
        let _ = writeln!(o, "\nExceptions in force ({}):", self.exceptions.len());
        if self.exceptions.is_empty() {
            let _ = writeln!(o, "  none");
        }
        for e in &self.exceptions {
            let x = &e.exception;
            let _ = writeln!(
                o,
                "  rule {} for groups {} until {}: {}",
                x.rule,
                x.groups.join(", "),
                x.expires,
                x.reason
            );
            let _ = writeln!(
                o,
                "      permits: {}; approved by: {}",
                e.packages.join(", "),
                x.approved_by.as_deref().unwrap_or("not recorded")
            );
        }
        let _ = writeln!(o, "\nRecent scans:");
        for s in &self.scans {
            let _ = writeln!(
                o,
                "  #{} {} {} policy v{} {}: {} packages, {} violations, {} excepted, {} steps ({} failed), {} us",
                s.id,
                s.started_at,
                s.trigger,
                s.policy_version,
                s.mode,
                s.packages,
                s.violations,
                s.excepted,
                s.steps,
                s.failures,
                s.duration_us
            );
        }
        let _ = writeln!(o, "\nRecent enforcement:");
        if self.enforcement.is_empty() {
            let _ = writeln!(o, "  none");
        }
        for r in &self.enforcement {
            let _ = writeln!(
                o,
                "  {} {} {} ({}){}",
                r.at,
                r.step,
                r.package,
                r.result,
                r.error
                    .as_ref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            );
        }
        o
    }

    /// The report as one self-contained HTML page (no scripts, no external resources) that
    /// prints on A4 portrait: the tables wrap (long digests too), the words are the policy's
    /// language, times are in the organisation's zone beside UTC, and apps are named by label.
    pub fn to_html(&self) -> String {
        let w = self.settings.language.words();
        let t = |at: Timestamp| esc(&self.settings.time(at));
        let mut o = String::new();
        let status = if self.compliant {
            ("compliant", w.compliant)
        } else {
            ("violation", w.not_compliant)
        };
        let _ = writeln!(
            o,
            "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
            <meta name=\"viewport\" content=\"width=device-width\"><title>{}</title>\
            <style>body{{font-family:system-ui,sans-serif;margin:1.5em;color:#222;font-size:11pt}}\
            table{{border-collapse:collapse;width:100%;table-layout:fixed;margin-bottom:1.5em}}\
            td,th{{border:1px solid #ccc;padding:.3em .4em;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}}\
            th{{background:#f3f3f3}}.compliant{{color:#186a1f}}.violation{{color:#a4161a}}.muted{{color:#666}}\
            .pkg{{font-size:.85em;color:#555}}code{{overflow-wrap:anywhere;word-break:break-all}}\
            @page{{size:A4 portrait;margin:12mm}}\
            @media print{{body{{margin:0;font-size:8.5pt}}h1{{font-size:14pt}}h2{{font-size:11pt;break-after:avoid}}tr{{break-inside:avoid}}a{{color:inherit}}}}\
            </style></head><body>",
            self.settings.language.code(),
            esc(w.title)
        );
        let _ = writeln!(o, "<h1>{}</h1>", esc(w.title));
        let _ = writeln!(
            o,
            "<p class=\"muted\">{} {}</p>",
            esc(w.generated),
            t(self.generated_at)
        );
        if let Some(d) = &self.device {
            let _ = writeln!(
                o,
                "<p>{} <b>{}</b>, {}: {}, Android SDK {}</p>",
                esc(w.device),
                esc(&d.id),
                esc(w.groups),
                esc(&d.groups.join(", ")),
                d.sdk
            );
            if let Some(p) = &d.powers {
                let _ = writeln!(o, "<p>{}: {}</p>", esc(w.management), esc(&p.describe()));
            }
        }
        let _ = writeln!(o, "<h2 class=\"{}\">{}</h2>", status.0, esc(status.1));
        if let Some(p) = &self.policy {
            let expires = p.expires.map_or(esc(w.never), t);
            let _ = writeln!(
                o,
                "<table><colgroup><col style=\"width:25%\"><col></colgroup>\
                <tr><th>{}</th><td>{} {} {}</td></tr><tr><th>{}</th><td>{}</td></tr>\
                <tr><th>{}</th><td>{}{}</td></tr><tr><th>{}</th><td><code>{}</code></td></tr><tr><th>{}</th><td>{} ({})</td></tr></table>",
                esc(w.policy),
                esc(&p.organisation),
                esc(w.version),
                p.version,
                esc(w.mode),
                esc(&p.mode),
                esc(w.expires),
                expires,
                if p.expired {
                    format!(" <b class=\"violation\">{}</b>", esc(w.expired))
                } else {
                    String::new()
                },
                esc(w.rules_hash),
                esc(&p.rules_hash),
                esc(w.source),
                esc(&p.source),
                t(p.received_at)
            );
        }
        let sync = match (&self.sync.last_success_at, &self.sync.last_error) {
            (_, Some(e)) => format!("{}: {}", esc(w.sync_failed), esc(e)),
            (Some(at), None) => format!("{} {}", esc(w.sync_ok), t(*at)),
            (None, None) => esc(w.never_synced),
        };
        let _ = writeln!(o, "<p>{}: {sync}</p>", esc(w.last_sync));
        for (label, text) in [
            (w.clock_problem, self.clock_problem.as_deref()),
            (w.store_recovered, self.store_recovered.as_deref()),
        ] {
            if let Some(text) = text {
                let _ = writeln!(o, "<p><strong>{}:</strong> {}</p>", esc(label), esc(text));
            }
        }
        let _ = writeln!(
            o,
            "<h2>{} ({})</h2>",
            esc(w.violations),
            self.violations.len()
        );
        if !self.violations.is_empty() {
            let _ = writeln!(
                o,
                "<table><colgroup><col style=\"width:18%\"><col style=\"width:10%\"><col style=\"width:14%\"><col style=\"width:12%\"><col style=\"width:24%\"><col style=\"width:22%\"></colgroup>\
                <tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
                esc(w.app),
                esc(w.rule),
                esc(w.action),
                esc(w.since),
                esc(w.why),
                esc(w.employee_told)
            );
            for v in &self.violations {
                let link = v
                    .link
                    .as_ref()
                    .map(|l| format!(" <a href=\"{}\">{}</a>", esc(l), esc(l)))
                    .unwrap_or_default();
                let mut notes = String::new();
                if let Some(why) = &v.not_told {
                    let _ = write!(
                        notes,
                        " <strong>{}: {}</strong>",
                        esc(w.could_not_be_told),
                        esc(why)
                    );
                }
                if let Some(ask) = &v.emm_request {
                    let _ = write!(
                        notes,
                        " <strong>{}: {}</strong>",
                        esc(w.emm_asked),
                        esc(ask)
                    );
                }
                // Named by label where the phone gave one; the package name decides.
                let app = match &v.label {
                    Some(l) => format!(
                        "<b>{}</b><br><span class=\"pkg\">{}</span>",
                        esc(l),
                        esc(&v.package)
                    ),
                    None => esc(&v.package),
                };
                let _ = writeln!(
                    o,
                    "<tr><td>{app}</td><td>{}</td><td>{} ({})</td><td>{}</td><td>{}</td><td>{}{link}{notes}</td></tr>",
                    esc(v.rule.as_deref().unwrap_or("-")),
                    v.action.map_or("-", Action::as_str),
                    esc(&v.status),
                    t(v.since),
                    esc(&v.reason),
                    esc(v.message.as_deref().unwrap_or("")),
                );
            }
            let _ = writeln!(o, "</table>");
        }
        let _ = writeln!(
            o,
            "<h2>{} ({})</h2>",
            esc(w.exceptions),
            self.exceptions.len()
        );
        if !self.exceptions.is_empty() {
            let _ = writeln!(
                o,
                "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
                esc(w.rule),
                esc(w.groups),
                esc(w.apps),
                esc(w.reason),
                esc(w.approved_by),
                esc(w.until)
            );
            for e in &self.exceptions {
                let x = &e.exception;
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&x.rule),
                    esc(&x.groups.join(", ")),
                    esc(&e.packages.join(", ")),
                    esc(&x.reason),
                    esc(x.approved_by.as_deref().unwrap_or(w.not_recorded)),
                    t(x.expires)
                );
            }
            let _ = writeln!(o, "</table>");
        }
        let _ = writeln!(
            o,
            "<h2>{}</h2><table><colgroup><col style=\"width:6%\"><col style=\"width:26%\"><col><col><col><col><col><col></colgroup>\
            <tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            esc(w.recent_scans),
            esc(w.when),
            esc(w.trigger),
            esc(w.policy),
            esc(w.mode),
            esc(w.packages),
            esc(w.violations),
            esc(w.steps_failed)
        );
        for s in &self.scans {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>v{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ({})</td></tr>",
                s.id,
                t(s.started_at),
                esc(&s.trigger),
                s.policy_version,
                esc(&s.mode),
                s.packages,
                s.violations,
                s.steps,
                s.failures
            );
        }
        let _ = writeln!(
            o,
            "</table><h2>{}</h2><table><colgroup><col style=\"width:26%\"><col style=\"width:12%\"><col style=\"width:28%\"><col></colgroup>\
            <tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            esc(w.recent_enforcement),
            esc(w.when),
            esc(w.step),
            esc(w.app),
            esc(w.result)
        );
        for r in &self.enforcement {
            let result = match &r.error {
                Some(e) => format!("{}: {e}", r.result),
                None => r.result.clone(),
            };
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                t(r.at),
                esc(&r.step),
                esc(&r.package),
                esc(&result)
            );
        }
        let _ = writeln!(o, "</table></body></html>");
        o
    }
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
