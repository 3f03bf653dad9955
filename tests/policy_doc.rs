//! `docs/POLICY.md` as an executable specification: every TOML example in it is compiled, and every
//! row of the cases table after it is evaluated by the real engine and must come out as written.

use agent_core::{Engine, Outcome, Package};
use appwacht_tests::*;

struct Section {
    title: String,
    snippet: String,
    rows: Vec<Vec<String>>,
}

/// The worked examples: each `###` heading with its TOML block and cases table.
fn sections() -> Vec<Section> {
    let doc = std::fs::read_to_string(root().join("docs/POLICY.md")).expect("docs/POLICY.md");
    let mut out: Vec<Section> = Vec::new();
    let mut lines = doc.lines().peekable();
    let mut title = String::new();
    let mut snippet = String::new();
    while let Some(line) = lines.next() {
        if let Some(t) = line.strip_prefix("### ") {
            title = t.trim().to_string();
            snippet.clear();
        } else if line.trim() == "```toml" {
            snippet.clear();
            for l in lines.by_ref() {
                if l.trim() == "```" {
                    break;
                }
                snippet.push_str(l);
                snippet.push('\n');
            }
        } else if line.trim() == "<!-- cases -->" {
            let mut rows = Vec::new();
            while let Some(l) = lines.next_if(|l| l.trim_start().starts_with('|')) {
                let cells: Vec<String> = l
                    .trim()
                    .trim_matches('|')
                    .split('|')
                    .map(|c| c.trim().to_string())
                    .collect();
                rows.push(cells);
            }
            // Drop the header and the separator.
            out.push(Section {
                title: title.clone(),
                snippet: snippet.clone(),
                rows: rows.split_off(2),
            });
        }
    }
    out
}

fn facts(name: &str, text: &str) -> Package {
    let mut p = app(name);
    for fact in text.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let (word, arg) = fact.split_once(' ').unwrap_or((fact, ""));
        match (word, arg) {
            ("user", _) => p.system = false,
            ("system", _) => p.system = true,
            ("from", "play") => p.installer = Some("com.android.vending".into()),
            ("no", "installer") => p.installer = None,
            ("installer", i) => p.installer = Some(i.to_string()),
            ("signer", d) => p.signers = vec![digest(d)],
            ("history", d) => p.signing_history = vec![digest(d)],
            ("version", n) => p.version_code = n.parse().expect("version"),
            _ => panic!("unknown fact `{fact}` in docs/POLICY.md"),
        }
    }
    p
}

/// Checks one worked example, table row by table row; returns how many rows it checked.
fn check_section(title: &str) -> usize {
    let all = sections();
    let section = all
        .iter()
        .find(|s| s.title.starts_with(title))
        .unwrap_or_else(|| {
            panic!(
                "docs/POLICY.md has no worked example `{title}` (it has: {:?})",
                all.iter().map(|s| &s.title).collect::<Vec<_>>()
            )
        });
    assert!(
        !section.rows.is_empty(),
        "`{title}` has an empty cases table"
    );
    let engine = Engine::new(policy(&section.snippet));
    for row in &section.rows {
        let [name, fact_text, groups, outcome, rule, action] = row.as_slice() else {
            panic!("`{title}`: a cases row needs 6 cells: {row:?}");
        };
        let groups: Vec<&str> = groups
            .split(',')
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .collect();
        // The agent's certificate in the docs' tables is a9×32.
        let scope = engine.scope(&agent_core::Enrolment {
            agent_certificates: vec![digest("a9")],
            ..enrolment(&groups)
        });
        let decision = engine.decide(&facts(name, fact_text), &scope, now());
        let got_outcome = match decision.outcome {
            Outcome::Protected => "protected",
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
            Outcome::Excepted => "excepted",
        };
        let got = (
            got_outcome,
            decision.rule.clone().unwrap_or_default(),
            decision.action.map(|a| a.to_string()).unwrap_or_default(),
        );
        let want = (outcome.as_str(), rule.clone(), action.clone());
        assert_eq!(
            got,
            (want.0, want.1, want.2),
            "docs/POLICY.md `{title}`, row {row:?}: decision was {decision:#?}"
        );
    }
    section.rows.len()
}

/// The worked examples, by the title each named test below checks.
const CHECKED: &[&str] = &[
    "Package name, exact and prefix",
    "Signing certificate, current and history",
    "Publisher and country",
    "Installer, version range, system or user app",
    "Several denials",
    "Allow-list",
    "Tiers",
    "Exceptions",
];

/// Every worked example is checked row by row by exactly one of the named tests below (this test
/// does not run them again: it makes sure none is left out, and that the tables are not thin).
#[test]
fn every_worked_example_has_a_cases_table_that_is_checked() {
    let all = sections();
    for s in &all {
        let by: Vec<&&str> = CHECKED
            .iter()
            .filter(|t| s.title.starts_with(**t))
            .collect();
        assert_eq!(
            by.len(),
            1,
            "docs/POLICY.md `{}` must be checked by exactly one named test",
            s.title
        );
    }
    assert_eq!(
        all.len(),
        CHECKED.len(),
        "a named test checks a section that is gone"
    );
    let rows: usize = all.iter().map(|s| s.rows.len()).sum();
    assert!(rows >= 35, "only {rows} rows in the tables");
}

#[test]
fn precedence_package_name_exact_and_prefix() {
    check_section("Package name, exact and prefix");
}

#[test]
fn precedence_signing_certificate_current_and_history() {
    check_section("Signing certificate, current and history");
}

#[test]
fn precedence_publisher_and_country() {
    check_section("Publisher and country");
}

#[test]
fn precedence_installer_version_and_app_kind() {
    check_section("Installer, version range, system or user app");
}

#[test]
fn precedence_strongest_denial_wins_then_first_written() {
    check_section("Several denials");
}

#[test]
fn precedence_allow_list_default_system_apps_and_deny_over_allow() {
    check_section("Allow-list");
}

#[test]
fn precedence_tiers_scope_rules_and_tighten_the_default() {
    check_section("Tiers");
}

#[test]
fn precedence_exceptions_groups_packages_and_expiry() {
    check_section("Exceptions");
}
