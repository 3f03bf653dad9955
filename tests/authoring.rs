//! The TOML authoring format: every problem names file, line, column and what is wrong.

use agent_core::policy::authoring::{self, LocatedProblem};
use agent_core::{Action, Policy};
use appwacht_tests::*;

const GOOD: &str = r#"organisation = "Example"
version = 3
mode = "monitor"

[default]
effect = "allow"

[publishers.bytedance]
name = "ByteDance"
country = "CN"
certificates = ["90:41:80:3E:91:BC:B8:14:B4:B4:39:9F:B5:C8:5A:91:64:0B:75:5E:5E:8B:A7:68:13:81:4B:F4:CF:2A:B5:BA"]

[[rules]]
id = "bytedance"
effect = "deny"
action = "warn"
escalation = [{ after = "72h", action = "suspend" }]
[rules.match]
publishers = ["bytedance"]
"#;

fn problems(source: &str) -> Vec<LocatedProblem> {
    match authoring::compile("policy.toml", source, now()) {
        Ok(_) => panic!("expected problems in:\n{source}"),
        Err(e) => e.0,
    }
}

/// Finds the one problem whose message contains `needle` and returns (line, column, message).
fn located(source: &str, needle: &str) -> (usize, usize, String) {
    let all = problems(source);
    let hit = all
        .iter()
        .find(|p| p.message.contains(needle) || p.path.contains(needle));
    let p = hit.unwrap_or_else(|| panic!("no problem mentions `{needle}`: {all:#?}"));
    assert_eq!(p.file, "policy.toml");
    (p.line, p.column, p.to_string())
}

#[test]
fn compiles_a_valid_policy_with_keytool_style_digest_and_escalation() {
    let p = authoring::compile("policy.toml", GOOD, now()).expect("valid");
    assert_eq!(p.version, 3);
    assert_eq!(p.rules[0].escalation[0].action, Action::Suspend);
    assert_eq!(
        p.publishers["bytedance"].certificates[0].to_string(),
        "9041803e91bcb814b4b4399fb5c85a91640b755e5e8ba76813814bf4cf2ab5ba"
    );
    // The compiled JSON is the same document, and reads back identically.
    assert_eq!(Policy::from_json(&p.to_json()).expect("json"), p);
}

#[test]
fn unknown_field_is_located() {
    let source = GOOD.replace(
        "action = \"warn\"",
        "action = \"warn\"\nseverity = \"high\"",
    );
    let (line, column, text) = located(&source, "unknown field `severity`");
    assert_eq!((line, column), (17, 1), "{text}");
}

#[test]
fn bad_digest_is_located_on_the_value() {
    let source = GOOD.replace("90:41:80:3E", "90:41:80");
    let (line, column, text) = located(
        &source,
        "not a certificate digest: expected 64 hex digits (SHA-256) or 40 (SHA-1)",
    );
    assert_eq!((line, column), (11, 18), "{text}");
}

#[test]
fn exception_for_a_rule_that_does_not_exist_is_located() {
    let source = format!(
        "{GOOD}\n[[exceptions]]\nrule = \"tiktok\"\ngroups = [\"inspection\"]\nreason = \"x\"\nexpires = 2030-01-01\n"
    );
    let (line, column, text) = located(&source, "which does not exist");
    assert_eq!((line, column), (22, 8), "{text}");
    assert!(text.contains("exceptions[0].rule"), "{text}");
}

#[test]
fn expiry_in_the_past_is_refused_when_authoring() {
    let source = format!(
        "{GOOD}\n[[exceptions]]\nrule = \"bytedance\"\ngroups = [\"inspection\"]\nreason = \"x\"\nexpires = 2026-01-31\n"
    );
    let (line, _, text) = located(&source, "expired on 2026-01-31");
    assert_eq!(line, 25, "{text}");
    // The device-side parse (no expiry judgement) accepts the same document.
    assert!(authoring::parse("policy.toml", &source).is_ok());
}

#[test]
fn conflicting_rules_are_refused() {
    let source = format!(
        "{GOOD}\n[[rules]]\nid = \"allow-bytedance\"\neffect = \"allow\"\n[rules.match]\npublishers = [\"bytedance\"]\n"
    );
    let (line, _, text) = located(&source, "conflict");
    assert_eq!(line, 21, "{text}");
    assert!(text.contains("`bytedance` and `allow-bytedance`"), "{text}");
}

#[test]
fn duplicate_rule_ids_weaker_escalation_and_unknown_references_are_each_reported() {
    let source = r#"organisation = "Example"
version = 1
mode = "enforce"
[default]
effect = "deny"

[[rules]]
id = "a"
effect = "deny"
action = "suspend"
escalation = [{ after = "72h", action = "warn" }]
tiers = ["nobody"]
match = { publishers = ["ghost"], countries = ["RU"] }

[[rules]]
id = "a"
effect = "allow"
action = "warn"
match = {}
"#;
    let all = problems(source);
    let text: Vec<String> = all.iter().map(ToString::to_string).collect();
    let expect = [
        "policy.toml:4:1: default: a default that denies (an allow-list) must name its action",
        "policy.toml:11:15: rules[0].escalation[0]: an escalation must get stronger",
        "policy.toml:13:25: rules[0].match.publishers[0]: publisher `ghost` is not defined",
        "policy.toml:13:48: rules[0].match.countries[0]: no publisher of this policy is in `RU`",
        "policy.toml:12:10: rules[0].tiers[0]: tier `nobody` is not defined",
        "policy.toml:16:6: rules[1].id: rule id `a` is used twice",
        "policy.toml:19:9: rules[1].match: rule `a` has no match criterion",
        "policy.toml:18:10: rules[1].action: rule `a` allows, so it cannot have an action",
    ];
    for e in expect {
        assert!(
            text.iter().any(|t| t.starts_with(e)),
            "missing `{e}` in:\n{}",
            text.join("\n")
        );
    }
    assert_eq!(all.len(), expect.len(), "{}", text.join("\n"));
}

#[test]
fn syntax_errors_are_located() {
    let source = GOOD.replace("version = 3", "version = ");
    let all = problems(&source);
    assert_eq!((all[0].line, all[0].column), (2, 11), "{}", all[0]);
}

#[test]
fn wrong_types_and_bad_values_name_the_value() {
    let (line, _, text) = located(&GOOD.replace("\"72h\"", "\"3 days\""), "not a span");
    assert_eq!(line, 17, "{text}");
    let (line, _, text) = located(
        &GOOD.replace("action = \"warn\"", "action = \"block\""),
        "unknown variant `block`",
    );
    assert_eq!(line, 16, "{text}");
    let (line, _, text) = located(
        &GOOD.replace("country = \"CN\"", "country = \"China\""),
        "ISO 3166",
    );
    assert_eq!(line, 10, "{text}");
}

#[test]
fn a_compiled_document_with_problems_is_refused_on_the_device() {
    let mut p = policy(
        "[[rules]]\nid = \"x\"\neffect = \"deny\"\naction = \"warn\"\nmatch = { packages = [\"a.b\"] }\n",
    );
    p.rules[0].action = None;
    let err = Policy::from_json(&p.to_json()).unwrap_err().to_string();
    assert!(
        err.contains("rules[0]: rule `x` denies but names no action"),
        "{err}"
    );
    let err = Policy::from_json(b"{\"schema\": 1, \"organisation\": \"x\"")
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 1"), "{err}");
}

/// Issue 12.8: the `[device]` section compiles into the signed document, and a misspelt setting is
/// an error at its line, never a hardening silently not applied.
#[test]
fn the_device_section_compiles_and_a_misspelt_setting_is_located() {
    let source = format!("{GOOD}\n[device]\nautomatic_time = true\nno_debugging = true\n");
    let p = authoring::compile("policy.toml", &source, now()).expect("valid");
    assert!(p.device.automatic_time && p.device.no_debugging && !p.device.no_unknown_sources);
    assert_eq!(Policy::from_json(&p.to_json()).expect("json"), p);
    let typo = format!("{GOOD}\n[device]\nautomatic_tme = true\n");
    let (line, _, text) = located(&typo, "unknown field `automatic_tme`");
    assert_eq!(line, GOOD.lines().count() + 3, "{text}");
}
