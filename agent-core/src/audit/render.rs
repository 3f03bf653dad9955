//! An audit as the helpdesk reads, files and mails it: text for a terminal, HTML for a browser or
//! a printer. Both say what was judged against (the policy's organisation, version and hash) and
//! when, so a saved audit can be compared with a later one.

use std::fmt::Write;

use super::{Audit, AuditLine, SignerCheck};
use crate::engine::Outcome;
use crate::report::esc;

impl Audit {
    fn count(&self, outcome: Outcome) -> usize {
        self.lines
            .iter()
            .filter(|l| l.installed && l.decision.outcome == outcome)
            .count()
    }

    /// The audit as text.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        let p = &self.policy;
        let _ = writeln!(
            o,
            "Audit of {} against {} policy v{} ({} mode, rules hash {}), judged {}: {} packages, {} violations, {} excepted, {} allowed, {} protected",
            self.source,
            p.organisation,
            p.version,
            p.mode,
            p.rules_hash,
            self.judged_at,
            self.packages,
            self.violations,
            self.count(Outcome::Excepted),
            self.count(Outcome::Allowed),
            self.count(Outcome::Protected)
        );
        if self.skipped_lines > 0 {
            let _ = writeln!(
                o,
                "  {} lines of the input were not understood and were skipped (--list-skipped shows them)",
                self.skipped_lines
            );
        }
        for outcome in [Outcome::Denied, Outcome::Excepted] {
            for line in self
                .lines
                .iter()
                .filter(|l| l.installed && l.decision.outcome == outcome)
            {
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
                let _ = writeln!(o, "            {}", details(line));
                let _ = writeln!(o, "            signer: {}", signer_text(&line.signer));
                if line.users.iter().any(|&u| u != 0) {
                    let _ = writeln!(o, "            installed for users: {}", users(&line.users));
                }
            }
        }
        let gone: Vec<&AuditLine> = self.lines.iter().filter(|l| !l.installed).collect();
        if !gone.is_empty() {
            let _ = writeln!(o, "Not installed (data kept), not counted: {}", gone.len());
            for line in gone {
                let verdict = if line.decision.outcome == Outcome::Denied {
                    " (the policy denies it: a violation once it is installed again)"
                } else {
                    ""
                };
                let _ = writeln!(
                    o,
                    "  {} not installed (data kept for users {}){verdict}",
                    line.decision.package,
                    users(&line.kept_for)
                );
            }
        }
        let _ = writeln!(o, "{}", self.signers_line());
        o
    }

    fn signers_line(&self) -> String {
        let unchecked = self
            .lines
            .iter()
            .filter(|l| matches!(l.signer, SignerCheck::Unchecked { .. }))
            .count();
        let by_hash = self.packages - unchecked - self.signers_by_digest;
        let mut parts = Vec::new();
        let pulled = self
            .lines
            .iter()
            .filter(|l| {
                matches!(
                    l.signer,
                    SignerCheck::ByDigest {
                        verified_from: Some(_),
                        ..
                    }
                )
            })
            .count();
        if pulled > 0 {
            parts.push(format!(
                "{pulled} verified by their full certificate SHA-256 (the APKs pulled from the phone, signatures checked)"
            ));
        }
        if self.signers_by_digest > pulled {
            parts.push(format!(
                "{} verified by their full certificate SHA-256 (from androidqf's packages.json)",
                self.signers_by_digest - pulled
            ));
        }
        parts.push(format!(
            "{by_hash} recognised by a 32-bit hash of a certificate the policy carries"
        ));
        parts.push(format!(
            "{unchecked} could not be checked (the policy carries no certificate with their hash)"
        ));
        format!("Signers: {}", parts.join("; "))
    }

    /// The audit as a standalone HTML page (prints on A4: the tables wrap).
    pub fn to_html(&self) -> String {
        let mut o = String::new();
        let p = &self.policy;
        let _ = writeln!(
            o,
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Appwacht audit of {}</title>\
             <style>body{{font-family:system-ui,sans-serif;margin:1.5em;color:#222}}\
             table{{border-collapse:collapse;width:100%;table-layout:fixed;margin-bottom:1.5em}}\
             td,th{{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top;overflow-wrap:anywhere}}\
             th{{background:#f3f3f3}}.violation{{color:#a4161a}}.muted{{color:#666}}\
             @media print{{body{{margin:0;font-size:9pt}}@page{{size:A4 portrait;margin:12mm}}}}</style></head><body>",
            esc(&self.source)
        );
        let _ = writeln!(o, "<h1>Appwacht audit</h1>");
        let _ = writeln!(
            o,
            "<p>Of <b>{}</b>, judged {} against <b>{}</b> policy version {} ({} mode), rules hash <code>{}</code>, document SHA-256 <code>{}</code>.</p>",
            esc(&self.source),
            esc(&self.judged_at.to_string()),
            esc(&p.organisation),
            p.version,
            esc(&p.mode),
            esc(&p.rules_hash),
            esc(&p.sha256)
        );
        let _ = writeln!(
            o,
            "<p class=\"{}\">{} packages, {} violations, {} not installed (data kept, not counted).</p>",
            if self.violations > 0 {
                "violation"
            } else {
                "muted"
            },
            self.packages,
            self.violations,
            self.not_installed
        );
        let _ = writeln!(
            o,
            "<table><tr><th style=\"width:22%\">package</th><th style=\"width:10%\">verdict</th><th>why</th><th style=\"width:22%\">signer</th><th style=\"width:16%\">installed</th></tr>"
        );
        for line in self.lines.iter().filter(|l| {
            l.decision.outcome == Outcome::Denied || l.decision.outcome == Outcome::Excepted
        }) {
            let d = &line.decision;
            let verdict = match (line.installed, d.outcome) {
                (false, _) => "not installed",
                (true, Outcome::Denied) => "VIOLATION",
                _ => "excepted",
            };
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{verdict}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&d.package),
                esc(&d.reason),
                esc(&signer_text(&line.signer)),
                esc(&details(line))
            );
        }
        let _ = writeln!(
            o,
            "</table><p class=\"muted\">{}</p></body></html>",
            esc(&self.signers_line())
        );
        o
    }
}

fn users(list: &[u32]) -> String {
    list.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Version, installer and the system flag, in one phrase.
fn details(line: &AuditLine) -> String {
    format!(
        "version {} ({}), installer {}{}",
        if line.version_name.is_empty() {
            "-"
        } else {
            &line.version_name
        },
        line.version_code,
        line.installer.as_deref().unwrap_or("none"),
        if line.system { ", system package" } else { "" }
    )
}

fn signer_text(s: &SignerCheck) -> String {
    match s {
        SignerCheck::ByDigest {
            certificates,
            publisher,
            verified_from,
        } => {
            let first = certificates
                .first()
                .map(|c| c.to_string())
                .unwrap_or_default();
            let how = match verified_from {
                Some(f) => format!("verified by full digest, {f}"),
                None => "verified by digest".to_string(),
            };
            match publisher {
                Some(p) => format!("{p} (certificate {first}, {how})"),
                None => format!("certificate {first} ({how}; no publisher of the policy)"),
            }
        }
        SignerCheck::ByHash {
            publisher,
            hash,
            certificate,
            pull_problem,
        } => {
            let short: String = certificate.to_string().chars().take(16).collect();
            let pulled = pull_problem
                .as_ref()
                .map(|p| format!("; the pulled APK: {p}"))
                .unwrap_or_default();
            format!("{publisher} (certificate {short}…, matched by its 32-bit hash {hash}{pulled})")
        }
        SignerCheck::Unchecked {
            hashes,
            pull_problem,
        } => {
            let why = if hashes.is_empty() {
                "the dump shows no signature".to_string()
            } else {
                format!(
                    "hash {} is not one of the policy's certificates",
                    hashes.join(", ")
                )
            };
            match pull_problem {
                Some(p) => format!("could not be checked ({why}; the pulled APK: {p})"),
                None => format!("could not be checked ({why})"),
            }
        }
    }
}
