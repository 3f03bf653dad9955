//! The `appwacht` tool as administrators and helpdesk staff use it.

use appwacht_tests::*;

fn example(path: &str) -> String {
    root().join("examples").join(path).display().to_string()
}

#[test]
fn policy_check_accepts_the_example_and_says_what_it_holds() {
    let run = appwacht(&["policy", "check", &example("policy.toml")]);
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(
        run.out.contains(
            "valid: Gemeente Voorbeeld version 1, enforce mode, default deny, 5 rules, 8 publishers"
        ),
        "{}",
        run.out
    );
}

#[test]
fn policy_check_reports_every_problem_located_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.toml");
    let text = std::fs::read_to_string(example("policy.toml"))
        .unwrap()
        .replace(
            "\"0fe4ff85c215918396dadc7cd8ce6963339af33d37751a56e54c7206b63a3c7c\"",
            "\"0fe4ff85\"",
        )
        .replace("rule = \"annex-a\"", "rule = \"annex-b\"");
    std::fs::write(&file, text).unwrap();
    let run = appwacht(&["policy", "check", file.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    // A value of the wrong shape: located at the value itself. (The exception naming a rule that
    // does not exist shows once every value has its shape.)
    assert!(run.err.contains("broken.toml:103:18: "), "{}", run.err);
    assert!(
        run.err
            .contains("not a certificate digest: expected 64 hex digits (SHA-256) or 40 (SHA-1)"),
        "{}",
        run.err
    );
    assert!(!run.err.contains("panicked") && !run.err.contains("backtrace"));

    let json = appwacht(&["policy", "check", "--json", file.to_str().unwrap()]);
    assert_eq!(json.code, 1);
    let v: serde_json::Value = serde_json::from_str(&json.out).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["problems"][0]["line"], 103);
}

#[test]
fn missing_files_get_one_clear_sentence() {
    let run = appwacht(&["policy", "check", "/no/such/policy.toml"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.err.lines().count(), 1, "{}", run.err);
    assert!(
        run.err
            .starts_with("appwacht: cannot read the policy /no/such/policy.toml:"),
        "{}",
        run.err
    );
    let run = appwacht(&["report", "--db", "/no/such/compliance.db"]);
    assert_eq!(run.code, 2);
    assert!(
        run.err
            .contains("there is no compliance store at /no/such/compliance.db"),
        "{}",
        run.err
    );
}

#[test]
fn scan_report_and_explain_work_on_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let db = db.to_str().unwrap();
    let after = dir.path().join("after.json");
    let compiled = dir.path().join("policy.json");
    let run = appwacht(&[
        "policy",
        "compile",
        &example("policy.toml"),
        "--out",
        compiled.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.err);

    let run = appwacht(&[
        "scan",
        "--policy",
        compiled.to_str().unwrap(),
        "--inventory",
        &example("phone.json"),
        "--db",
        db,
        "--emm",
        "com.airwatch.androidagent",
        "--save-device",
        after.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(
        run.out.contains("225 packages, 8 violations, 1 excepted"),
        "{}",
        run.out
    );
    assert!(
        run.out
            .contains("suspend   com.videoedit.promax (rule annex-a)"),
        "{}",
        run.out
    );
    let saved = agent_core::Inventory::from_json("after", &std::fs::read(&after).unwrap()).unwrap();
    assert!(saved.package("com.zhiliaoapp.musically").unwrap().suspended);

    // The saved device, scanned again, needs nothing more.
    let run = appwacht(&[
        "scan",
        "--policy",
        compiled.to_str().unwrap(),
        "--inventory",
        after.to_str().unwrap(),
        "--db",
        db,
        "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.err);
    let v: serde_json::Value = serde_json::from_str(&run.out).unwrap();
    assert_eq!(v["steps"].as_array().unwrap().len(), 0, "{}", run.out);

    let run = appwacht(&["explain", "--db", db, "com.tencent.mm"]);
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(
        run.out.contains("com.tencent.mm: ALLOWED BY EXCEPTION"),
        "{}",
        run.out
    );
    assert!(
        run.out.contains("approved by CISO Gemeente Voorbeeld"),
        "{}",
        run.out
    );
    let run = appwacht(&["explain", "--db", db, "com.android.systemui"]);
    assert!(run.out.contains("NEVER BLOCKED"), "{}", run.out);
    let run = appwacht(&["explain", "--db", db, "--json", "com.videoedit.promax"]);
    let v: serde_json::Value = serde_json::from_str(&run.out).unwrap();
    assert_eq!(v["explanation"]["decision"]["rule"], "annex-a");
    assert_eq!(v["blocks"][0]["block"], "suspend");
    let run = appwacht(&["explain", "--db", db, "com.not.installed"]);
    assert_eq!(run.code, 2);
    assert!(
        run.err
            .contains("com.not.installed was not installed at the last scan"),
        "{}",
        run.err
    );

    for (format, marker) in [
        ("text", "Status: NOT COMPLIANT"),
        ("json", "\"compliant\": false"),
        ("html", "<!DOCTYPE html>"),
    ] {
        let out = dir.path().join(format!("report.{format}"));
        let run = appwacht(&[
            "report",
            "--db",
            db,
            "--format",
            format,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 0, "{}", run.err);
        let body = std::fs::read_to_string(&out).unwrap();
        assert!(body.contains(marker), "{format}: {body}");
    }
}

#[test]
fn scan_refuses_an_older_policy_and_keeps_the_active_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let db = db.to_str().unwrap();
    let newer = dir.path().join("v5.toml");
    std::fs::write(
        &newer,
        std::fs::read_to_string(example("policy.toml"))
            .unwrap()
            .replace("version = 1", "version = 5"),
    )
    .unwrap();
    assert_eq!(
        appwacht(&[
            "scan",
            "--policy",
            newer.to_str().unwrap(),
            "--inventory",
            &example("phone.json"),
            "--db",
            db
        ])
        .code,
        0
    );
    let run = appwacht(&[
        "scan",
        "--policy",
        &example("policy.toml"),
        "--inventory",
        &example("phone.json"),
        "--db",
        db,
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.err.contains("version 1 from")
            && run.err.contains("is not newer than the active version 5"),
        "{}",
        run.err
    );
    let report = appwacht(&["report", "--db", db, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&report.out).unwrap();
    assert_eq!(v["policy"]["version"], 5);
}

#[test]
fn the_demo_shows_the_whole_job() {
    let run = appwacht(&["demo"]);
    assert_eq!(run.code, 0, "{}", run.err);
    let out = &run.out;
    for needle in [
        "== Step 1: monitor mode (report only) ==",
        "0 steps on the device",
        "would suspend   com.zhiliaoapp.musically (rule annex-a)",
        "== Step 2: enforce mode ==",
        "suspend   com.zhiliaoapp.musically (rule annex-a)",
        "suspend   com.einnovation.temu (rule annex-a)",
        "suspend   com.videoedit.promax (rule annex-a)",
        "system apps: 77, blocked: 0",
        "scanning again with nothing changed: 0 steps",
        "com.tencent.mm: ALLOWED BY EXCEPTION",
        "Status: NOT COMPLIANT",
        "Exceptions in force (1):",
    ] {
        assert!(out.contains(needle), "demo output lacks `{needle}`:\n{out}");
    }
    assert!(
        !out.contains("suspend   com.tencent.mm"),
        "the excepted app must not be blocked"
    );
    assert!(
        !out.contains("com.airwatch.androidagent ("),
        "the EMM must not be acted on"
    );
}

/// Issue 14.9: `explain` answers what people ask: a name typed wrong, an app by its label, an
/// allowed app (nobody is told anything), and whom to ask for an exception.
#[test]
fn explain_answers_the_questions_people_ask() {
    let dir = tempfile::tempdir().unwrap();
    let mut phone: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example("phone.json")).unwrap()).unwrap();
    for p in phone["packages"].as_array_mut().unwrap() {
        if p["name"] == "com.zhiliaoapp.musically" {
            p["label"] = "TikTok".into();
        }
    }
    let inventory = dir.path().join("phone.json");
    std::fs::write(&inventory, phone.to_string()).unwrap();
    let db = dir.path().join("c.db");
    let (inv, db) = (inventory.to_str().unwrap(), db.to_str().unwrap());
    let scan = appwacht(&[
        "scan",
        "--policy",
        &example("policy.toml"),
        "--inventory",
        inv,
        "--db",
        db,
    ]);
    assert_eq!(scan.code, 0, "{}", scan.err);

    let typo = appwacht(&["explain", "com.tencent.m", "--db", db]);
    assert_eq!(typo.code, 2);
    assert!(
        typo.err.contains("did you mean com.tencent.mm?"),
        "{}",
        typo.err
    );
    let label = appwacht(&["explain", "tiktok", "--db", db]);
    assert!(
        label
            .err
            .contains("did you mean com.zhiliaoapp.musically (TikTok)?"),
        "{}",
        label.err
    );
    let far = appwacht(&["explain", "org.example.nothing.like.it", "--db", db]);
    assert!(!far.err.contains("did you mean"), "{}", far.err);

    let excepted = appwacht(&["explain", "com.tencent.mm", "--db", db]);
    assert!(
        excepted.out.contains("ALLOWED BY EXCEPTION"),
        "{}",
        excepted.out
    );
    assert!(
        !excepted.out.contains("employee is told"),
        "{}",
        excepted.out
    );
    assert!(
        excepted
            .out
            .contains("until 2030-06-30T23:59:59Z; approved by CISO Gemeente Voorbeeld"),
        "{}",
        excepted.out
    );

    let denied = appwacht(&["explain", "com.zhiliaoapp.musically", "--db", db]);
    assert!(
        denied.out.contains("the employee is told: "),
        "{}",
        denied.out
    );
    assert!(
        denied.out.contains(
            "an exception: ask CISO Gemeente Voorbeeld (the approver of this policy's exceptions)"
        ),
        "{}",
        denied.out
    );
}

/// Issue 14.6/14.7: messages in the product's words and a tool's habits.
#[test]
fn a_monitor_scan_says_what_it_would_do_and_the_tool_has_a_tools_habits() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("monitor.toml");
    std::fs::write(
        &policy,
        std::fs::read_to_string(example("policy.toml"))
            .unwrap()
            .replacen("mode = \"enforce\"", "mode = \"monitor\"", 1),
    )
    .unwrap();
    let db = dir.path().join("c.db");
    let run = appwacht(&[
        "scan",
        "--policy",
        policy.to_str().unwrap(),
        "--inventory",
        &example("phone.json"),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(run.out.contains("in monitor mode"), "{}", run.out);
    assert!(
        run.out
            .contains("  would suspend   com.zhiliaoapp.musically (rule annex-a)"),
        "{}",
        run.out
    );
    // Nothing in Rust's own formatting.
    for text in [
        &run.out,
        &appwacht(&["report", "--db", db.to_str().unwrap()]).out,
    ] {
        assert!(
            !text.contains("..=") && !text.contains("(monitor mode))") && !text.contains("[\""),
            "{text}"
        );
    }
    // --type in any case.
    let keys = dir.path().join("keys");
    let k = appwacht(&[
        "keys",
        "generate",
        "--type",
        "Ed25519",
        "--out",
        keys.to_str().unwrap(),
        "--name",
        "a",
    ]);
    assert_eq!(k.code, 0, "{}", k.err);
    // Completions and manual pages come from the command definitions.
    for shell in ["bash", "zsh", "fish"] {
        let c = appwacht(&["completions", shell]);
        assert_eq!(c.code, 0, "{}", c.err);
        assert!(
            c.out.contains("audit") && c.out.contains("explain"),
            "{shell}: {}",
            c.out
        );
    }
    let man = appwacht(&["man"]);
    assert!(
        man.out.starts_with(".ie") && man.out.contains(".TH appwacht 1"),
        "{}",
        man.out
    );
    let pages = dir.path().join("man");
    assert_eq!(appwacht(&["man", "--out", pages.to_str().unwrap()]).code, 0);
    assert!(pages.join("appwacht-audit.1").exists());
    // APPWACHT_DB is the store when --db is not given.
    let status = std::process::Command::new(appwacht_binary())
        .args(["status"])
        .env("APPWACHT_DB", &db)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(String::from_utf8_lossy(&status.stdout).starts_with("Policy: Gemeente Voorbeeld"));
}

/// Issue 14.5: one device configuration. The host's file and the managed configuration an EMM
/// console holds have the same keys, and either shape of each value is read.
#[test]
fn one_device_configuration_in_either_shape() {
    let example = example("device.json");
    let host = appwacht(&["config", "check", &example]);
    assert_eq!(host.code, 0, "{}", host.err);
    assert!(
        host.out
            .starts_with("valid: Gemeente Voorbeeld with 2 mirror(s)"),
        "{}",
        host.out
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&example).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, value: &serde_json::Value| {
        let path = dir.path().join(name);
        std::fs::write(&path, value.to_string()).unwrap();
        path.display().to_string()
    };
    // What an EMM console's managed configuration holds: strings with lines, a root as text,
    // numbers as text.
    let mut managed = v.clone();
    managed["policy_urls"] =
        "https://policies.voorbeeld.nl/appwacht\nhttps://cdn.example.net/voorbeeld".into();
    managed["pinned_root"] = v["pinned_root"].to_string().into();
    managed["device_groups"] = "inspection, permits".into();
    managed["sync_interval_minutes"] = "360".into();
    let run = appwacht(&["config", "check", &write("managed.json", &managed)]);
    assert_eq!(run.code, 0, "{}", run.err);
    assert_eq!(
        run.out.replace(&dir.path().display().to_string(), ""),
        host.out
    );
    // The earlier host names still read.
    let mut old = v.clone();
    let groups = old
        .as_object_mut()
        .unwrap()
        .remove("device_groups")
        .unwrap();
    old["groups"] = groups;
    assert_eq!(
        appwacht(&["config", "check", &write("old.json", &old)]).code,
        0
    );
    // A misspelt key is named, with the key it probably is.
    let mut typo = v.clone();
    let groups = typo
        .as_object_mut()
        .unwrap()
        .remove("device_groups")
        .unwrap();
    typo["device_group"] = groups;
    let run = appwacht(&["config", "check", &write("typo.json", &typo)]);
    assert_eq!(run.code, 1);
    assert!(
        run.err
            .contains("unknown key `device_group`; did you mean `device_groups`?"),
        "{}",
        run.err
    );
    // A value of the wrong kind names the key and never echoes a 2 KB value.
    let mut garbage = v.clone();
    let long = "A".repeat(2048);
    garbage["pinned_root"] = long.clone().into();
    let run = appwacht(&["config", "check", &write("garbage.json", &garbage)]);
    assert_eq!(run.code, 1);
    assert!(
        run.err.contains("pinned_root: not a signed root document"),
        "{}",
        run.err
    );
    assert!(
        !run.err.contains(&long[..100]) && run.err.len() < 600,
        "{}",
        run.err
    );
    let mut list = v;
    list["policy_urls"] = serde_json::json!({"first": "https://x"});
    let run = appwacht(&["config", "check", &write("list.json", &list)]);
    assert!(run.err.contains("policy_urls: expected a list (a JSON array, or one string with a line or a comma between items), found an object"), "{}", run.err);
}

/// Issue 14.8: the report's language and zone are checked where they are written.
#[test]
fn a_report_section_with_an_unknown_zone_or_language_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(example("policy.toml")).unwrap();
    for (section, needle) in [
        (
            "[report]\ntime_zone = \"Europe/Amstrdam\"\n",
            "`Europe/Amstrdam` is not a time zone name",
        ),
        ("[report]\nlanguage = \"de\"\n", "unknown variant `de`"),
    ] {
        let file = dir.path().join("p.toml");
        std::fs::write(&file, format!("{base}\n{section}")).unwrap();
        let run = appwacht(&["policy", "check", file.to_str().unwrap()]);
        assert_eq!(run.code, 1, "{}", run.out);
        assert!(run.err.contains(needle), "{}", run.err);
        assert!(run.err.contains("p.toml:"), "{}", run.err);
    }
    let file = dir.path().join("ok.toml");
    std::fs::write(
        &file,
        format!("{base}\n[report]\nlanguage = \"nl\"\ntime_zone = \"Europe/Amsterdam\"\n"),
    )
    .unwrap();
    assert_eq!(
        appwacht(&["policy", "check", file.to_str().unwrap()]).code,
        0
    );
}

/// Issue 14.6: `policy check` reports every problem of shape in one run, each at its place, not
/// only the first the parser meets.
#[test]
fn policy_check_reports_every_misshapen_item_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("three.toml");
    let text = std::fs::read_to_string(example("policy.toml"))
        .unwrap()
        .replace(
            "\"0fe4ff85c215918396dadc7cd8ce6963339af33d37751a56e54c7206b63a3c7c\"",
            "\"0fe4ff85\"",
        )
        .replace(
            "id = \"sideloaded\"\neffect = \"deny\"\naction = \"warn\"",
            "id = \"sideloaded\"\neffect = \"deny\"\naction = \"wran\"",
        )
        .replace(
            "id = \"managed-store\"\neffect = \"allow\"",
            "id = \"managed-store\"\neffect = \"allow\"\npriority = 1",
        );
    std::fs::write(&file, text).unwrap();
    let run = appwacht(&["policy", "check", file.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    for needle in [
        "three.toml:103:18: ",
        "unknown variant `wran`",
        "unknown field `priority`",
    ] {
        assert!(run.err.contains(needle), "{needle}: {}", run.err);
    }
    let json = appwacht(&["policy", "check", "--json", file.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(&json.out).unwrap();
    assert_eq!(v["problems"].as_array().unwrap().len(), 3, "{}", json.out);
}
