//! The helpdesk report in its three formats.

use agent_core::{Mode, Report, Scope, SimulatedDevice, Store, scan};
use appwacht_tests::*;

const POLICY: &str = r#"
[[rules]]
id = "tiktok"
effect = "deny"
action = "suspend"
message = "Blocked <b>on advice</b> & \"for your safety\""
link = "https://intranet.example/apps?a=1&b=2"
match = { packages = ["com.zhiliaoapp.musically"] }

[[rules]]
id = "wechat"
effect = "deny"
action = "suspend"
match = { packages = ["com.tencent.mm"] }

[[exceptions]]
rule = "wechat"
groups = ["inspection"]
reason = "Market supervision"
approved_by = "CISO"
expires = 2030-06-30
"#;

fn store_after_scan(mode: Mode) -> Store {
    let mut store = Store::in_memory().unwrap();
    store
        .activate_policy(&policy_json(POLICY, 1, mode), "policy.json", now())
        .unwrap();
    let packages = vec![
        app("com.zhiliaoapp.musically"),
        app("com.tencent.mm"),
        app("com.whatsapp"),
    ];
    let mut device = SimulatedDevice::new(inventory(&["inspection"], packages));
    scan(
        &mut store,
        &mut device,
        &enrolment(&["inspection"]),
        Scope::Full,
        "full",
        now(),
    )
    .unwrap();
    store
}

#[test]
fn text_report_answers_the_helpdesk_questions() {
    let text = Report::build(&store_after_scan(Mode::Enforce), later("1h"))
        .unwrap()
        .to_text();
    for needle in [
        "Status: NOT COMPLIANT",
        "Policy: Example version 1, mode enforce",
        "Last sync: never synced",
        "com.zhiliaoapp.musically  rule tiktok  action suspend: taken  since 2026-11-22T12:00:00Z",
        "Exceptions in force (1):",
        "rule wechat for groups inspection until 2030-06-30T23:59:59Z: Market supervision",
        "permits: com.tencent.mm; approved by: CISO",
        "suspend com.zhiliaoapp.musically (ok)",
    ] {
        assert!(text.contains(needle), "missing `{needle}` in:\n{text}");
    }
    assert!(
        !text.contains("com.whatsapp"),
        "allowed apps are not violations:\n{text}"
    );
}

#[test]
fn monitor_mode_report_says_what_would_be_done() {
    let text = Report::build(&store_after_scan(Mode::Monitor), now())
        .unwrap()
        .to_text();
    assert!(
        text.contains("action suspend: would be taken in monitor mode"),
        "{text}"
    );
}

#[test]
fn a_compliant_device_says_so() {
    let mut store = Store::in_memory().unwrap();
    store
        .activate_policy(&policy_json(POLICY, 1, Mode::Enforce), "p", now())
        .unwrap();
    let mut device = SimulatedDevice::new(inventory(&[], vec![app("com.whatsapp")]));
    scan(
        &mut store,
        &mut device,
        &enrolment(&[]),
        Scope::Full,
        "full",
        now(),
    )
    .unwrap();
    let report = Report::build(&store, now()).unwrap();
    assert!(report.compliant);
    assert!(report.to_text().contains("Status: COMPLIANT"));
}

#[test]
fn json_report_carries_the_same_facts() {
    let json: serde_json::Value = serde_json::from_str(
        &Report::build(&store_after_scan(Mode::Enforce), now())
            .unwrap()
            .to_json(),
    )
    .unwrap();
    assert_eq!(json["compliant"], false);
    assert_eq!(json["policy"]["version"], 1);
    assert_eq!(json["violations"][0]["package"], "com.zhiliaoapp.musically");
    assert_eq!(json["violations"][0]["action"], "suspend");
    assert_eq!(
        json["violations"][0]["blocks"][0],
        "suspend since 2026-11-22T12:00:00Z"
    );
    assert_eq!(json["exceptions"][0]["packages"][0], "com.tencent.mm");
    assert_eq!(json["scans"][0]["violations"], 1);
}

#[test]
fn html_report_is_self_contained_and_escapes_what_the_policy_says() {
    let html = Report::build(&store_after_scan(Mode::Enforce), now())
        .unwrap()
        .to_html();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("NOT COMPLIANT"));
    assert!(
        html.contains("Blocked &lt;b&gt;on advice&lt;/b&gt; &amp; &quot;for your safety&quot;"),
        "{html}"
    );
    assert!(html.contains("href=\"https://intranet.example/apps?a=1&amp;b=2\""));
    assert!(
        !html.contains("<b>on advice"),
        "policy text must not become markup"
    );
    for external in ["<script", "<link", "src=", "@import"] {
        assert!(
            !html.contains(external),
            "the page must need nothing else: found {external}"
        );
    }
    assert!(html.contains("Market supervision"));
}
