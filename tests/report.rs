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

/// Debian's Chromium, headless, as the probe on these machines runs it (no background networking:
/// the closed network refuses it).
fn chromium(args: &[&str], profile: &std::path::Path) -> std::process::Output {
    std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium")
}

/// Whether Chromium is here to look with. The test command installs it and says so
/// (`APPWACHT_REQUIRE_BROWSER`): there, a missing browser is a failure, never a check that passed
/// without looking.
pub(crate) fn browser_present() -> bool {
    if std::process::Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok()
    {
        return true;
    }
    assert!(
        std::env::var_os("APPWACHT_REQUIRE_BROWSER").is_none(),
        "chromium is not installed, and .ci/test requires the browser check"
    );
    println!("chromium is not installed (.ci/test installs it): the browser check did not run");
    false
}

/// A script in a copy of `page` (written into `d`) finds no element wider than its box at A4's
/// printable width (210 mm less 12 mm margins at 96 dpi: 703 px), in a real Chromium.
pub(crate) fn a4_fits(page: &str, d: &std::path::Path) {
    let p = |x: &std::path::Path| x.display().to_string();
    let probe = d.join("probe.html");
    let script = r#"<script>
window.addEventListener('load', function () {
  var width = document.documentElement.clientWidth, bad = [];
  document.querySelectorAll('body *').forEach(function (el) {
    var r = el.getBoundingClientRect();
    var inner = el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0;
    if (r.right > width + 1 || inner) {
      bad.push(el.tagName + ': ' + (el.textContent || '').slice(0, 60) + ' (' + Math.round(r.right) + ' > ' + width + ')');
    }
  });
  var out = document.createElement('pre');
  out.id = 'overflow';
  out.textContent = bad.length + '\n' + bad.slice(0, 10).join('\n');
  document.body.appendChild(out);
});
</script></body>"#;
    std::fs::write(&probe, page.replace("</body>", script)).unwrap();
    let profile = d.join("profile");
    let dom = chromium(
        &[
            "--window-size=703,1000",
            "--virtual-time-budget=3000",
            "--dump-dom",
            &format!("file://{}", p(&probe)),
        ],
        &profile,
    );
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    let result = dom_text
        .split("<pre id=\"overflow\">")
        .nth(1)
        .unwrap_or_else(|| {
            panic!(
                "the page's check did not run: {}",
                String::from_utf8_lossy(&dom.stderr)
            )
        });
    assert!(
        result.starts_with("0\n"),
        "elements wider than their box at A4 width:\n{}",
        &result[..result.len().min(1500)]
    );
}

/// What a helpdesk prints and mails (issue 14.8): the HTML report of the example phone, in Dutch
/// with the organisation's zone and TikTok named by its label, rendered by a real browser at A4:
/// a script in (a copy of) the page finds no element wider than its box at the printable width
/// (210 mm less 12 mm margins at 96 dpi: 703 px), and the page prints to an A4 PDF and a PNG.
#[test]
fn the_html_report_fits_an_a4_page_in_a_real_browser_and_speaks_dutch() {
    if !browser_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let policy = d.join("policy.toml");
    let mut text = std::fs::read_to_string(root().join("examples/policy.toml")).unwrap();
    text.push_str("\n[report]\nlanguage = \"nl\"\ntime_zone = \"Europe/Amsterdam\"\n");
    std::fs::write(&policy, text).unwrap();
    let mut phone: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("examples/phone.json")).unwrap())
            .unwrap();
    for p in phone["packages"].as_array_mut().unwrap() {
        if p["name"] == "com.zhiliaoapp.musically" {
            p["label"] = "TikTok".into();
        }
    }
    let inventory = d.join("phone.json");
    std::fs::write(&inventory, phone.to_string()).unwrap();
    let db = d.join("c.db");
    let html = d.join("report.html");
    let p = |x: &std::path::Path| x.display().to_string();
    let scan = appwacht(&[
        "scan",
        "--policy",
        &p(&policy),
        "--inventory",
        &p(&inventory),
        "--db",
        &p(&db),
    ]);
    assert_eq!(scan.code, 0, "{}", scan.err);
    let report = appwacht(&[
        "report",
        "--db",
        &p(&db),
        "--format",
        "html",
        "--out",
        &p(&html),
    ]);
    assert_eq!(report.code, 0, "{}", report.err);
    let page = std::fs::read_to_string(&html).unwrap();
    for needle in [
        "<html lang=\"nl\">",
        "Appwacht-nalevingsrapport",
        "Overtredingen (8)",
        "Melding aan de medewerker",
        "<b>TikTok</b><br><span class=\"pkg\">com.zhiliaoapp.musically</span>",
        "@page{size:A4 portrait",
    ] {
        assert!(page.contains(needle), "{needle}");
    }
    // Times in the organisation's zone beside UTC: CET in winter, CEST in summer.
    assert!(
        page.contains(" CET (") || page.contains(" CEST ("),
        "no local time in the report"
    );
    assert!(page.contains("Z)"));

    // The overflow check, in a copy of the page.
    a4_fits(&page, d);
    let profile = d.join("profile");

    // Printed to PDF at A4, and a screenshot at A4 proportions.
    let pdf = d.join("report.pdf");
    let printed = chromium(
        &[
            "--no-pdf-header-footer",
            &format!("--print-to-pdf={}", p(&pdf)),
            &format!("file://{}", p(&html)),
        ],
        &profile,
    );
    let bytes = std::fs::read(&pdf)
        .unwrap_or_else(|_| panic!("no PDF: {}", String::from_utf8_lossy(&printed.stderr)));
    assert!(bytes.starts_with(b"%PDF"));
    let pdf_text = String::from_utf8_lossy(&bytes);
    // A4 is 595 x 842 points (Chromium writes 594.96 x 841.92).
    let media = pdf_text
        .split("/MediaBox")
        .nth(1)
        .and_then(|r| r.split(']').next())
        .unwrap_or("");
    let numbers: Vec<f64> = media
        .trim_start_matches([' ', '['])
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(
        matches!(numbers.as_slice(), [0.0, 0.0, w, h] if (w - 595.0).abs() < 1.5 && (h - 842.0).abs() < 1.5),
        "not an A4 page: {media}"
    );
    let png = d.join("report.png");
    chromium(
        &[
            "--window-size=794,1123",
            &format!("--screenshot={}", p(&png)),
            &format!("file://{}", p(&html)),
        ],
        &profile,
    );
    let image = std::fs::read(&png).unwrap();
    assert!(image.starts_with(b"\x89PNG"));
    let (w, h) = (
        u32::from_be_bytes(image[16..20].try_into().unwrap()),
        u32::from_be_bytes(image[20..24].try_into().unwrap()),
    );
    assert_eq!((w, h), (794, 1123));
}
