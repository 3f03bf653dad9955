//! The administrator's tools end to end (keys, roots with thresholds and rotation, signing,
//! publishing) and a device syncing what they published from nginx; every bad input gets one
//! clear sentence, a non-zero exit, and nothing half-written.

use std::path::{Path, PathBuf};

use appwacht_tests::nginx::Nginx;
use appwacht_tests::{Run, appwacht, root as workspace};

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn ok(run: Run) -> String {
    assert_eq!(run.code, 0, "stdout: {}\nstderr: {}", run.out, run.err);
    run.out
}

fn failed(run: Run, code: i32, needle: &str) -> String {
    assert_eq!(run.code, code, "stdout: {}\nstderr: {}", run.out, run.err);
    assert!(
        run.err.contains(needle),
        "expected `{needle}` in: {}",
        run.err
    );
    assert!(
        !run.err.contains("panicked") && !run.err.contains("RUST_BACKTRACE"),
        "{}",
        run.err
    );
    run.err
}

fn keygen(dir: &Path, kind: &str, name: &str) -> (PathBuf, PathBuf) {
    ok(appwacht(&[
        "keys",
        "generate",
        "--type",
        kind,
        "--out",
        p(dir),
        "--name",
        name,
    ]));
    (
        dir.join(format!("{name}.key")),
        dir.join(format!("{name}.pub")),
    )
}

fn example_policy() -> String {
    workspace()
        .join("examples/policy.toml")
        .display()
        .to_string()
}

#[test]
fn keys_are_written_owner_only_and_never_overwritten() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = keygen(dir.path(), "ed25519", "root-1");
    assert_eq!(
        std::fs::metadata(&private).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        std::fs::read_to_string(&private)
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );
    assert!(
        std::fs::read_to_string(&public)
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    let before = std::fs::read(&private).unwrap();
    failed(
        appwacht(&[
            "keys",
            "generate",
            "--type",
            "p256",
            "--out",
            p(dir.path()),
            "--name",
            "root-1",
        ]),
        2,
        "already exists",
    );
    assert_eq!(std::fs::read(&private).unwrap(), before);
    failed(
        appwacht(&["keys", "generate", "--type", "rsa", "--out", p(dir.path())]),
        2,
        "`rsa` is not a key type; use ed25519 or p256",
    );
}

#[test]
fn a_two_of_three_root_signed_separately_and_combined() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let (a, a_pub) = keygen(dir, "ed25519", "alice");
    let (b, b_pub) = keygen(dir, "p256", "bob");
    let (_, c_pub) = keygen(dir, "ed25519", "carol");
    let (_, pol_pub) = keygen(dir, "p256", "policy");
    let root = dir.join("root.json");
    ok(appwacht(&[
        "root",
        "init",
        "--organisation",
        "Gemeente Voorbeeld",
        "--root-key",
        p(&a_pub),
        "--root-key",
        p(&b_pub),
        "--root-key",
        p(&c_pub),
        "--root-threshold",
        "2",
        "--policy-key",
        p(&pol_pub),
        "--out",
        p(&root),
    ]));
    // Each key holder signs a copy on their own machine.
    let (copy_a, copy_b) = (dir.join("root.alice.json"), dir.join("root.bob.json"));
    std::fs::copy(&root, &copy_a).unwrap();
    std::fs::copy(&root, &copy_b).unwrap();
    ok(appwacht(&["root", "sign", p(&copy_a), "--key", p(&a)]));
    failed(
        appwacht(&["root", "verify", p(&copy_a)]),
        1,
        "1 of the 2 needed",
    );
    ok(appwacht(&["root", "sign", p(&copy_b), "--key", p(&b)]));
    let combined = dir.join("root.1.json");
    ok(appwacht(&[
        "root",
        "combine",
        p(&copy_a),
        p(&copy_b),
        "--out",
        p(&combined),
    ]));
    let out = ok(appwacht(&["root", "verify", p(&combined)]));
    assert!(
        out.contains("valid root version 1 for Gemeente Voorbeeld"),
        "{out}"
    );
    // A copy of another document cannot be combined in.
    let other = dir.join("other.json");
    ok(appwacht(&[
        "root",
        "init",
        "--organisation",
        "Elders",
        "--root-key",
        p(&a_pub),
        "--policy-key",
        p(&pol_pub),
        "--out",
        p(&other),
    ]));
    failed(
        appwacht(&[
            "root",
            "combine",
            p(&combined),
            p(&other),
            "--out",
            p(&dir.join("x.json")),
        ]),
        1,
        "holds a different document",
    );
    assert!(!dir.join("x.json").exists());
}

#[test]
fn sign_publish_sync_status_and_scan_through_the_tool() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let (rk, rk_pub) = keygen(dir, "ed25519", "root");
    let (pk, pk_pub) = keygen(dir, "p256", "policy");
    let root1 = dir.join("root.1.json");
    ok(appwacht(&[
        "root",
        "init",
        "--organisation",
        "Gemeente Voorbeeld",
        "--root-key",
        p(&rk_pub),
        "--policy-key",
        p(&pk_pub),
        "--out",
        p(&root1),
    ]));
    ok(appwacht(&["root", "sign", p(&root1), "--key", p(&rk)]));

    let signed = dir.join("policy.signed.json");
    let out = ok(appwacht(&[
        "policy",
        "sign",
        &example_policy(),
        "--key",
        p(&pk),
        "--expires",
        "14d",
        "--root",
        p(&root1),
        "--out",
        p(&signed),
    ]));
    assert!(
        out.contains("signed policy version 1 of Gemeente Voorbeeld"),
        "{out}"
    );
    let out = ok(appwacht(&[
        "policy",
        "verify",
        p(&signed),
        "--root",
        p(&root1),
    ]));
    assert!(
        out.contains("valid policy version 1")
            && out.contains("signed by 1 of the 1 policy key(s) needed"),
        "{out}"
    );
    // Signing again goes above the last published version.
    let out = ok(appwacht(&[
        "policy",
        "sign",
        &example_policy(),
        "--key",
        p(&pk),
        "--out",
        p(&signed),
    ]));
    assert!(out.contains("signed policy version 2"), "{out}");

    let site = dir.join("site");
    let out = ok(appwacht(&[
        "publish",
        "--out",
        p(&site),
        "--root",
        p(&root1),
        "--policy",
        p(&signed),
    ]));
    assert!(out.contains("root version 1, policy version 2"), "{out}");
    assert!(site.join("root/1.root.json").exists() && site.join("policy.json").exists());

    let server = Nginx::start(&site);
    let config = dir.join("device.json");
    let pinned: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&root1).unwrap()).unwrap();
    let cfg = serde_json::json!({
        "organisation": "Gemeente Voorbeeld", "policy_urls": [server.url], "pinned_root": pinned,
        "groups": ["inspection"], "emm_package": "com.airwatch.androidagent", "ca_certificates": server.ca_pem,
    });
    std::fs::write(&config, serde_json::to_vec_pretty(&cfg).unwrap()).unwrap();
    let db = dir.join("c.db");
    failed(
        appwacht(&[
            "scan",
            "--config",
            p(&config),
            "--inventory",
            &workspace()
                .join("examples/phone.json")
                .display()
                .to_string(),
            "--db",
            p(&db),
        ]),
        2,
        "holds no verified policy yet: run `appwacht sync",
    );
    let out = ok(appwacht(&["sync", "--config", p(&config), "--db", p(&db)]));
    assert!(
        out.contains("policy version 2 installed; root version 1"),
        "{out}"
    );
    let out = ok(appwacht(&["sync", "--config", p(&config), "--db", p(&db)]));
    assert!(
        out.contains("policy unchanged (304)") && out.contains("1 request(s), 0 bytes"),
        "{out}"
    );

    let out = ok(appwacht(&[
        "scan",
        "--config",
        p(&config),
        "--inventory",
        &workspace()
            .join("examples/phone.json")
            .display()
            .to_string(),
        "--db",
        p(&db),
    ]));
    assert!(
        out.contains("policy v2 in enforce mode: 225 packages, 8 violations, 1 excepted"),
        "{out}"
    );

    let report = ok(appwacht(&["report", "--db", p(&db)]));
    assert!(report.contains("Last sync: ok at "), "{report}");
    let status = ok(appwacht(&["status", "--db", p(&db)]));
    for needle in [
        "Policy: Gemeente Voorbeeld version 2 (signed by",
        "rules hash",
        "Expires: ",
        "Root: version 1; policy-version floor 2",
        "Last successful sync: ",
    ] {
        assert!(status.contains(needle), "missing `{needle}` in:\n{status}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&ok(appwacht(&["status", "--db", p(&db), "--json"]))).unwrap();
    assert_eq!(json["policy"]["version"], 2);
    assert_eq!(json["policy"]["stale"], false);
    assert!(json["last_sync_error"].is_null());

    // The helpdesk audits a phone against the same signed policy, fetched and verified as the
    // device does, with the device configuration's groups (inspection keeps WeChat from Annex A).
    let dump = workspace().join("tests/dumps/android13-dumpsys-package.txt");
    let audit = appwacht(&["audit", "--from", p(&dump), "--config", p(&config)]);
    assert_eq!(audit.code, 1, "{}", audit.err);
    assert!(
        audit.out.starts_with("Audit of ")
            && audit
                .out
                .contains("against Gemeente Voorbeeld policy v2 (enforce mode, rules hash ")
            && audit
                .out
                .contains("VIOLATION com.zhiliaoapp.musically (rule annex-a")
            && audit
                .out
                .contains("VIOLATION com.tencent.mm (rule sideloaded"),
        "{}",
        audit.out
    );

    // The server goes away: the sync fails, says why, and the policy stays.
    drop(server);
    let err = failed(
        appwacht(&["sync", "--config", p(&config), "--db", p(&db)]),
        2,
        "the last good policy stays in force",
    );
    assert!(
        err.contains("Policy: Gemeente Voorbeeld version 2"),
        "{err}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(appwacht(&["status", "--db", p(&db), "--json"]))).unwrap();
    assert_eq!(json["policy"]["version"], 2);
    assert!(
        json["last_sync_error"]
            .as_str()
            .unwrap()
            .contains("policy.json"),
        "{json}"
    );
    let report = ok(appwacht(&["report", "--db", p(&db)]));
    assert!(
        report.contains("Last sync: FAILED: ") && report.contains("(last success "),
        "{report}"
    );
}

#[test]
fn a_key_rotation_with_a_floor_reset_through_the_tool() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let (rk, rk_pub) = keygen(dir, "ed25519", "root");
    let (pk, pk_pub) = keygen(dir, "ed25519", "policy-old");
    let (pk2, pk2_pub) = keygen(dir, "p256", "policy-new");
    let (rk2, rk2_pub) = keygen(dir, "ed25519", "root-new");
    let root1 = dir.join("root.1.json");
    ok(appwacht(&[
        "root",
        "init",
        "--organisation",
        "Gemeente Voorbeeld",
        "--root-key",
        p(&rk_pub),
        "--policy-key",
        p(&pk_pub),
        "--out",
        p(&root1),
    ]));
    ok(appwacht(&["root", "sign", p(&root1), "--key", p(&rk)]));
    let root2 = dir.join("root.2.json");
    let out = ok(appwacht(&[
        "root",
        "rotate",
        "--from",
        p(&root1),
        "--root-key",
        p(&rk2_pub),
        "--policy-key",
        p(&pk2_pub),
        "--policy-floor",
        "5",
        "--out",
        p(&root2),
    ]));
    assert!(
        out.contains("devices will reset their policy-version floor to 5"),
        "{out}"
    );
    ok(appwacht(&["root", "sign", p(&root2), "--key", p(&rk)]));
    failed(
        appwacht(&["root", "verify", p(&root2), "--previous", p(&root1)]),
        1,
        "root (version 2) keys: 0 of the 1 needed",
    );
    ok(appwacht(&["root", "sign", p(&root2), "--key", p(&rk2)]));
    ok(appwacht(&[
        "root",
        "verify",
        p(&root2),
        "--previous",
        p(&root1),
    ]));
    // The old policy key no longer signs policies under root 2; the new one does.
    let signed = dir.join("policy.json");
    ok(appwacht(&[
        "policy",
        "sign",
        &example_policy(),
        "--key",
        p(&pk),
        "--version",
        "6",
        "--out",
        p(&signed),
    ]));
    failed(
        appwacht(&["policy", "verify", p(&signed), "--root", p(&root2)]),
        1,
        "not enough valid signatures from the policy keys",
    );
    failed(
        appwacht(&[
            "publish",
            "--out",
            p(&dir.join("site")),
            "--root",
            p(&root1),
            "--root",
            p(&root2),
            "--policy",
            p(&signed),
        ]),
        1,
        "policy keys",
    );
    assert!(!dir.join("site/policy.json").exists(), "nothing published");
    ok(appwacht(&[
        "policy",
        "sign",
        &example_policy(),
        "--key",
        p(&pk2),
        "--version",
        "6",
        "--out",
        p(&signed),
    ]));
    let out = ok(appwacht(&[
        "publish",
        "--out",
        p(&dir.join("site")),
        "--root",
        p(&root2),
        "--root",
        p(&root1),
        "--policy",
        p(&signed),
    ]));
    assert!(
        out.contains("root versions 1 to 2, policy version 6"),
        "{out}"
    );
}

#[test]
fn bad_input_on_the_admin_side_is_one_sentence_and_writes_nothing() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let (pk, pk_pub) = keygen(dir, "ed25519", "policy");
    let out = dir.join("signed.json");
    // A missing key file.
    failed(
        appwacht(&[
            "policy",
            "sign",
            &example_policy(),
            "--key",
            p(&dir.join("nope.key")),
            "--out",
            p(&out),
        ]),
        2,
        "cannot read the private key",
    );
    // A public key where the private one is needed.
    failed(
        appwacht(&[
            "policy",
            "sign",
            &example_policy(),
            "--key",
            p(&pk_pub),
            "--out",
            p(&out),
        ]),
        2,
        "this is a public key; signing needs the private key",
    );
    // Something that is not a key at all.
    let junk = dir.join("junk.key");
    std::fs::write(&junk, "hello").unwrap();
    failed(
        appwacht(&[
            "policy",
            "sign",
            &example_policy(),
            "--key",
            p(&junk),
            "--out",
            p(&out),
        ]),
        2,
        "junk.key: not a PEM private key",
    );
    // An unreadable policy.
    failed(
        appwacht(&[
            "policy",
            "sign",
            p(&dir.join("missing.toml")),
            "--key",
            p(&pk),
            "--out",
            p(&out),
        ]),
        2,
        "cannot read the policy",
    );
    // A policy that does not validate: located, exit 1.
    let broken = dir.join("broken.toml");
    std::fs::write(
        &broken,
        "organisation = \"x\"\nversion = 1\nmode = \"enforce\"\n[default]\neffect = \"deny\"\n",
    )
    .unwrap();
    failed(
        appwacht(&[
            "policy",
            "sign",
            p(&broken),
            "--key",
            p(&pk),
            "--out",
            p(&out),
        ]),
        1,
        "broken.toml:4:1: default: a default that denies",
    );
    // A bad expiry.
    failed(
        appwacht(&[
            "policy",
            "sign",
            &example_policy(),
            "--key",
            p(&pk),
            "--expires",
            "soon",
            "--out",
            p(&out),
        ]),
        2,
        "--expires: `soon` is not a span",
    );
    assert!(!out.exists(), "nothing may be written after a failure");
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        4,
        "no temporary files left behind: {leftovers:?}"
    );
    // A root made of a key that is not a public key file.
    failed(
        appwacht(&[
            "root",
            "init",
            "--organisation",
            "x",
            "--root-key",
            p(&junk),
            "--policy-key",
            p(&pk_pub),
            "--out",
            p(&dir.join("r.json")),
        ]),
        2,
        "junk.key",
    );
    assert!(!dir.join("r.json").exists());
    // A configuration that is not one.
    let cfg = dir.join("cfg.json");
    std::fs::write(&cfg, "{\"organisation\": \"x\"}").unwrap();
    failed(
        appwacht(&["sync", "--config", p(&cfg), "--db", p(&dir.join("c.db"))]),
        2,
        "the device configuration",
    );
}

// ---- Issue 10: the careless administrator, and what is published can be served ----

/// Signs the example policy with a fresh root and publishes it into `site`; returns (policy key,
/// root file).
fn signed_site(dir: &Path, site: &Path) -> (PathBuf, PathBuf) {
    let (rk, rk_pub) = keygen(dir, "ed25519", "root");
    let (pk, pk_pub) = keygen(dir, "ed25519", "policy");
    let root1 = dir.join("root.1.json");
    ok(appwacht(&[
        "root",
        "init",
        "--organisation",
        "Gemeente Voorbeeld",
        "--root-key",
        p(&rk_pub),
        "--policy-key",
        p(&pk_pub),
        "--out",
        p(&root1),
    ]));
    ok(appwacht(&["root", "sign", p(&root1), "--key", p(&rk)]));
    let signed = dir.join("policy.signed.json");
    ok(appwacht(&[
        "policy",
        "sign",
        &example_policy(),
        "--key",
        p(&pk),
        "--out",
        p(&signed),
    ]));
    ok(appwacht(&[
        "publish",
        "--out",
        p(site),
        "--root",
        p(&root1),
        "--policy",
        p(&signed),
    ]));
    (pk, root1)
}

/// Issue 10.5: rules that could hit system apps without naming them, and an allow-list that would
/// act on the EMM's companion apps, are warned about at file:line:column; `--strict` refuses them,
/// and so does `policy sign` unless told `--allow-warnings`.
#[test]
fn policy_check_warns_about_the_careless_policy_and_sign_refuses_it() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let file = dir.join("careless.toml");
    std::fs::write(
        &file,
        "organisation = \"Gemeente Voorbeeld\"\nversion = 1\nmode = \"enforce\"\n\n\
         [default]\neffect = \"deny\"\naction = \"suspend\"\n\n\
         [[rules]]\nid = \"old-builds\"\neffect = \"deny\"\naction = \"suspend\"\n\
         match = { max_version_code = 1000 }\n\n\
         [[rules]]\nid = \"android\"\neffect = \"deny\"\naction = \"hide\"\n\
         match = { package_prefixes = [\"com.android.\"] }\n\n\
         [[rules]]\nid = \"not-from-store\"\neffect = \"deny\"\naction = \"warn\"\n\
         match = { not_installed_by = [\"com.android.vending\"] }\n\n\
         [[rules]]\nid = \"fine\"\neffect = \"deny\"\naction = \"warn\"\n\
         match = { app = \"user\", not_installed_by = [\"com.android.vending\"] }\n",
    )
    .unwrap();
    let out = ok(appwacht(&[
        "policy",
        "check",
        p(&file),
        "--emm",
        "com.microsoft.windowsintune.companyportal",
    ]));
    let name = file.display().to_string();
    for needle in [
        format!("warning: {name}:13:"),
        "rule `old-builds` could match system apps without naming them (it says only a version range)".to_string(),
        "rule `android` could match system apps without naming them (its prefix covers platform packages such as com.android.systemui".to_string(),
        "rule `not-from-store` could match system apps without naming them (it says only an installer)".to_string(),
        format!("warning: {name}:5:1: default: the allow-list would act on `com.microsoft.intune`"),
    ] {
        assert!(out.contains(&needle), "`{needle}` missing from:\n{out}");
    }
    assert!(!out.contains("`fine`"), "{out}");
    failed(
        appwacht(&["policy", "check", p(&file), "--strict"]),
        1,
        "an error with --strict",
    );
    let (pk, _) = keygen(dir, "ed25519", "policy");
    let signed = dir.join("signed.json");
    failed(
        appwacht(&[
            "policy",
            "sign",
            p(&file),
            "--key",
            p(&pk),
            "--out",
            p(&signed),
        ]),
        1,
        "sign anyway with --allow-warnings",
    );
    assert!(!signed.exists(), "nothing written");
    ok(appwacht(&[
        "policy",
        "sign",
        p(&file),
        "--key",
        p(&pk),
        "--out",
        p(&signed),
        "--allow-warnings",
    ]));
}

/// Issue 10.8: `policy sign` takes its version from the published site and refuses one that is not
/// above it; `publish` refuses what a device would: not newer than the live one, expired, another
/// organisation's.
#[test]
fn sign_and_publish_refuse_what_devices_would_refuse() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let site = dir.join("site");
    let (pk, root1) = signed_site(dir, &site);
    // An administrator on another machine, without the last signed file: the site decides.
    let fresh = dir.join("elsewhere.json");
    let out = ok(appwacht(&[
        "policy",
        "sign",
        &example_policy(),
        "--key",
        p(&pk),
        "--published",
        p(&site),
        "--out",
        p(&fresh),
    ]));
    assert!(out.contains("signed policy version 2 "), "{out}");
    failed(
        appwacht(&[
            "policy",
            "sign",
            &example_policy(),
            "--key",
            p(&pk),
            "--published",
            p(&site),
            "--version",
            "1",
            "--out",
            p(&dir.join("x.json")),
        ]),
        1,
        "--version 1 is not above the live version 1",
    );
    // The same version with other content, signed without looking at the site.
    let stale = dir.join("stale.json");
    ok(appwacht(&[
        "policy",
        "sign",
        &example_policy(),
        "--key",
        p(&pk),
        "--version",
        "1",
        "--expires",
        "3d",
        "--out",
        p(&stale),
    ]));
    let live_before = std::fs::read(site.join("policy.json")).unwrap();
    failed(
        appwacht(&[
            "publish",
            "--out",
            p(&site),
            "--root",
            p(&root1),
            "--policy",
            p(&stale),
        ]),
        1,
        "version 1 is not newer than the live version 1",
    );
    // Expired: signed with a span that has already run out is impossible, so age the envelope:
    // sign with the shortest span and publish after it ran out.
    let short = dir.join("short.json");
    ok(appwacht(&[
        "policy",
        "sign",
        &example_policy(),
        "--key",
        p(&pk),
        "--version",
        "3",
        "--expires",
        "1s",
        "--out",
        p(&short),
    ]));
    std::thread::sleep(std::time::Duration::from_millis(2100));
    failed(
        appwacht(&[
            "publish",
            "--out",
            p(&site),
            "--root",
            p(&root1),
            "--policy",
            p(&short),
        ]),
        1,
        "expired on",
    );
    assert_eq!(
        std::fs::read(site.join("policy.json")).unwrap(),
        live_before,
        "nothing refused was published"
    );
    // The newer one is published.
    ok(appwacht(&[
        "publish",
        "--out",
        p(&site),
        "--root",
        p(&root1),
        "--policy",
        p(&fresh),
    ]));
}

/// Issue 10.9: `publish` wrote 0600 files, which a packaged nginx's worker (`nobody`) cannot
/// read: 403 for every device. And two publishes within one second of the same size gave the same
/// entity tag (mtime + size), so every device got a 304 and kept the old policy.
#[test]
fn a_packaged_nginx_serves_what_publish_wrote_and_sees_every_publish() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    // The web root is world-traversable, as /var/www is; what publish writes inside is up to it.
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let site = dir.join("site");
    let (pk, root1) = signed_site(dir, &site);
    use std::os::unix::fs::PermissionsExt;
    for (path, mode) in [
        (site.clone(), 0o755),
        (site.join("root"), 0o755),
        (site.join("policy.json"), 0o644),
        (site.join("root/1.root.json"), 0o644),
    ] {
        let m = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(m, mode, "{}: {m:o}", path.display());
    }
    let server = Nginx::start_packaged(&site);
    let get = |path: &str| {
        let out = std::process::Command::new("curl")
            .args(["-sS", "-D", "-", "-o", "/dev/null", "--cacert"])
            .arg(server.dir.path().join("ca.pem"))
            .arg(format!("{}/{path}", server.url))
            .output()
            .expect("curl");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let etag = |headers: &str| {
        headers
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("etag:"))
            .map(str::to_string)
            .unwrap_or_default()
    };
    let first = get("policy.json");
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    assert!(get("root/1.root.json").starts_with("HTTP/1.1 200"));
    // Publish again at once: same size (the same rules, the version one digit), other bytes.
    let next = dir.join("next.json");
    ok(appwacht(&[
        "policy",
        "sign",
        &example_policy(),
        "--key",
        p(&pk),
        "--published",
        p(&site),
        "--out",
        p(&next),
    ]));
    ok(appwacht(&[
        "publish",
        "--out",
        p(&site),
        "--root",
        p(&root1),
        "--policy",
        p(&next),
    ]));
    let second = get("policy.json");
    assert!(second.starts_with("HTTP/1.1 200"), "{second}");
    assert_ne!(etag(&first), etag(&second), "{first}\n{second}");
}

/// Issue 14.4: roots without traps, each tried the way a careless (or tired) administrator would.
#[test]
fn roots_without_traps() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let (a, a_pub) = keygen(dir, "ed25519", "alice");
    let (b, b_pub) = keygen(dir, "ed25519", "bob");
    let (_, c_pub) = keygen(dir, "ed25519", "carol");
    let (stranger, _) = keygen(dir, "ed25519", "stranger");
    let (_, pol_pub) = keygen(dir, "p256", "policy");
    let root = dir.join("root.1.json");
    let init = |extra: &[&str]| {
        let mut args = vec![
            "root",
            "init",
            "--organisation",
            "Gemeente Voorbeeld",
            "--root-key",
            p(&a_pub),
            "--root-key",
            p(&b_pub),
            "--root-key",
            p(&c_pub),
            "--policy-key",
            p(&pol_pub),
            "--out",
            p(&root),
        ];
        args.extend_from_slice(extra);
        appwacht(&args)
    };
    // Three root keys and no threshold: not a silent 1-of-3.
    failed(init(&[]), 2, "give --root-threshold: with 3 root keys");
    assert!(!root.exists());
    ok(init(&["--root-threshold", "2"]));
    let first = std::fs::read(&root).unwrap();
    // An existing root is never overwritten by accident.
    failed(
        init(&["--root-threshold", "2"]),
        2,
        "exists: a root that phones already pin would be lost",
    );
    assert_eq!(std::fs::read(&root).unwrap(), first);
    // A key the first root does not name: refused, nothing written.
    failed(
        appwacht(&["root", "sign", p(&root), "--key", p(&stranger)]),
        1,
        "is not a root key of root version 1",
    );
    assert_eq!(std::fs::read(&root).unwrap(), first);
    // A private key where a public key is asked for.
    failed(
        appwacht(&[
            "root",
            "init",
            "--organisation",
            "X",
            "--root-key",
            p(&a),
            "--policy-key",
            p(&pol_pub),
            "--out",
            p(&dir.join("x.json")),
        ]),
        2,
        "is a private key: give its public half",
    );
    assert!(!dir.join("x.json").exists());
    ok(appwacht(&[
        "root",
        "sign",
        p(&root),
        "--key",
        p(&a),
        "--key",
        p(&b),
    ]));
    // Version 2 signed by its own new keys only: a device holding version 1 refuses it, so
    // verify without --previous must not say "valid".
    let (d_key, d_pub) = keygen(dir, "ed25519", "dave");
    let (e_key, e_pub) = keygen(dir, "ed25519", "erin");
    let two = dir.join("root.2.json");
    ok(appwacht(&[
        "root",
        "rotate",
        "--from",
        p(&root),
        "--root-key",
        p(&d_pub),
        "--root-key",
        p(&e_pub),
        "--root-threshold",
        "2",
        "--out",
        p(&two),
    ]));
    ok(appwacht(&[
        "root",
        "sign",
        p(&two),
        "--key",
        p(&d_key),
        "--key",
        p(&e_key),
    ]));
    let run = appwacht(&["root", "verify", p(&two)]);
    assert_eq!(run.code, 1, "{}{}", run.out, run.err);
    assert!(!run.out.contains("valid root"), "{}", run.out);
    assert!(
        run.out
            .contains("NOT checked: that root version 1's keys signed it too"),
        "{}",
        run.out
    );
    failed(
        appwacht(&["root", "verify", p(&two), "--previous", p(&root)]),
        1,
        "",
    );
}

/// Issue 14.4: every command block of docs/TRUST.md runs as written, in order, in an empty
/// directory holding a policy.toml, with the tool on PATH.
#[test]
fn the_trust_docs_commands_run_as_written_in_order() {
    let doc = std::fs::read_to_string(workspace().join("docs/TRUST.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line.trim_start()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(b), "```") => {
                blocks.push(std::mem::take(b));
                current = None;
            }
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            _ => {}
        }
    }
    assert!(
        blocks.len() >= 2,
        "TRUST.md has {} command blocks",
        blocks.len()
    );
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(example_policy(), d.path().join("policy.toml")).unwrap();
    let bin = appwacht_tests::appwacht_binary();
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (i, block) in blocks.iter().enumerate() {
        let run = std::process::Command::new("sh")
            .arg("-ec")
            .arg(block)
            .current_dir(d.path())
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "block {} of docs/TRUST.md failed:\n{block}\n{}{}",
            i + 1,
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
    }
    assert!(d.path().join("site/root/2.root.json").exists());
}

/// Issue 14.6: every admin command answers in JSON with --json, for scripts and pipelines.
#[test]
fn every_admin_command_answers_in_json() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let json = |args: &[&str]| -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        let run = appwacht(&all);
        assert_eq!(run.code, 0, "{args:?}: {}", run.err);
        serde_json::from_str(&run.out)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}", run.out))
    };
    let keys = dir.join("keys");
    let k = json(&[
        "keys",
        "generate",
        "--type",
        "ed25519",
        "--out",
        p(&keys),
        "--name",
        "root",
    ]);
    assert_eq!(k["key_id"].as_str().unwrap().len(), 64, "{k}");
    json(&[
        "keys",
        "generate",
        "--type",
        "p256",
        "--out",
        p(&keys),
        "--name",
        "policy",
    ]);
    let root = dir.join("root.1.json");
    let (rk, rp, pk, pp) = (
        keys.join("root.key"),
        keys.join("root.pub"),
        keys.join("policy.key"),
        keys.join("policy.pub"),
    );
    let init = json(&[
        "root",
        "init",
        "--organisation",
        "Gemeente Voorbeeld",
        "--root-key",
        p(&rp),
        "--policy-key",
        p(&pp),
        "--out",
        p(&root),
    ]);
    assert_eq!(
        (init["version"].as_u64(), init["signatures"].as_u64()),
        (Some(1), Some(0)),
        "{init}"
    );
    let signed = json(&["root", "sign", p(&root), "--key", p(&rk)]);
    assert_eq!(signed["signatures"], 1);
    assert_eq!(signed["signed_with"][0]["root_key_of_this_version"], true);
    let verified = json(&["root", "verify", p(&root)]);
    assert_eq!(verified["valid"], true);
    let policy = dir.join("policy.signed.json");
    let s = json(&[
        "policy",
        "sign",
        &example_policy(),
        "--key",
        p(&pk),
        "--root",
        p(&root),
        "--out",
        p(&policy),
    ]);
    assert_eq!(s["organisation"], "Gemeente Voorbeeld");
    let v = json(&["policy", "verify", p(&policy), "--root", p(&root)]);
    assert_eq!(
        (v["valid"].as_bool(), v["version"].clone()),
        (Some(true), s["version"].clone())
    );
    let site = dir.join("site");
    let published = json(&[
        "publish",
        "--out",
        p(&site),
        "--root",
        p(&root),
        "--policy",
        p(&policy),
    ]);
    assert_eq!(published["root_versions"], serde_json::json!([1]));
}
