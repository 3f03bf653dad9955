//! `appwacht policy import-indicators`: public indicator feeds turned into policy, tried the way an
//! administrator uses it and the way a poisoned or stale feed would try to abuse it. The feed files
//! are in `tests/data/indicators/` (written for these tests in the two formats; see its README).

use std::path::{Path, PathBuf};
use std::process::Command;

use appwacht_tests::*;

fn feed(name: &str) -> String {
    test_data()
        .join("indicators")
        .join(name)
        .display()
        .to_string()
}

/// An organisation's own policy: an allow rule for the field workers' location app, an exception,
/// and comments, all of which an import must leave exactly as they are.
const OWN_POLICY: &str = r#"# Gemeente Voorbeeld: the administrator's own part.
organisation = "Gemeente Voorbeeld"
version = 1
mode = "enforce"

[default]
effect = "allow"

[[rules]]
id = "field-location"   # the wijkteams share their location with FamilyLocator
effect = "allow"
[rules.match]
packages = ["com.familylocator.share"]
"#;

const OWN_TAIL: &str = r#"
# Added by hand after the first import.
[[exceptions]]
rule = "stalkerware"
groups = ["forensics"]
packages = ["com.spytrackpro.app"]
reason = "the forensics team keeps a sample phone"
expires = "2099-01-01T00:00:00Z"
"#;

fn write_policy(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("policy.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// An import into a policy file, with these further arguments.
fn import_into(file: &str, name: &str, policy: &str, extra: &[&str]) -> Run {
    let mut args = vec![file, "--publisher", name, "--into", policy];
    args.extend_from_slice(extra);
    import(&args)
}

fn import(args: &[&str]) -> Run {
    let mut all = vec!["policy", "import-indicators"];
    all.extend_from_slice(args);
    appwacht(&all)
}

#[test]
fn an_ioc_yaml_feed_becomes_publishers_and_a_rule_with_its_attribution_and_what_was_left_out() {
    let run = import(&[&feed("ioc.yaml"), "--publisher", "stalkerware"]);
    assert_eq!(run.code, 0, "{}", run.err);
    let section = &run.out;
    // CC BY 4.0: the attribution goes into the file that is signed and kept.
    assert!(
        section.contains("# Attribution: Stalkerware Indicators of Compromise by Echap and contributors, https://github.com/AssoEchap/stalkerware-indicators, licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)."),
        "{section}"
    );
    assert!(section.contains("Changes: the feed's families became publishers"));
    for line in [
        "[publishers.stalkerware-spytrackpro]",
        "# type stalkerware; also sold as PhoneWatcher, TrackMate",
        "  \"96b8966df3b1dd2efd55504ce1d0392a42299a33\",",
        // keytool's colon spelling, and an all-digit digest YAML would read as a number.
        "  \"38c037eb60e6cc325072a53760ef97909f468d60\",",
        "  \"1234567890123456789012345678901234567890\",",
        "[publishers.stalkerware-familylocator]",
        "app = \"user\"",
        "action = \"report\"",
    ] {
        assert!(section.contains(line), "missing {line:?} in\n{section}");
    }
    assert!(!section.contains("com.android.systemui") && !section.contains("Leftover"));
    // What was not taken is said, each with why.
    for why in [
        "SpyTrackPro: `com.android.systemui` is a platform package the phone cannot work without",
        "SpyTrackPro: `not a package!` is not an Android package name",
        "SpyTrackPro: `XYZ` is not a certificate digest",
        "Leftover: names no package and no certificate",
    ] {
        assert!(run.err.contains(why), "missing {why:?} in\n{}", run.err);
    }
    assert!(
        run.err
            .contains("3 families, 5 package names, 4 certificate digests")
    );
    // What was printed is a policy once pasted under the organisation's own part.
    let pasted = format!("{OWN_POLICY}\n{section}");
    let policy = agent_core::policy::authoring::compile("pasted.toml", &pasted, now())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(policy.rules.len(), 2);
    assert_eq!(
        policy.publishers["stalkerware-shadowlog"].certificates[1].algorithm(),
        "SHA-1"
    );
}

#[test]
fn importing_a_newer_feed_replaces_only_the_generated_section_and_says_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_policy(dir.path(), OWN_POLICY);
    let p = path.to_str().unwrap();
    // FamilyLocator is allowed by the organisation: only the stalkerware families are wanted.
    let first = import_into(
        &feed("ioc.yaml"),
        "stalkerware",
        p,
        &["--type", "stalkerware"],
    );
    assert_eq!(first.code, 0, "{}{}", first.out, first.err);
    assert!(
        first
            .out
            .contains("is written; 4 package name(s) and 4 certificate digest(s) added"),
        "{}",
        first.out
    );
    let mut text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(OWN_POLICY), "{text}");
    text.push_str(OWN_TAIL);
    std::fs::write(&path, &text).unwrap();

    let second = import_into(
        &feed("ioc-newer.yaml"),
        "stalkerware",
        p,
        &["--type", "stalkerware", "--action", "suspend"],
    );
    assert_eq!(second.code, 0, "{}{}", second.out, second.err);
    assert!(
        second.out.contains(
            "is replaced; 1 package name(s) and 1 certificate digest(s) added, 1 and 0 removed"
        ),
        "{}",
        second.out
    );
    assert!(second.out.contains("removed package com.phonewatcher.sys"));
    let after = std::fs::read_to_string(&path).unwrap();
    // The administrator's text before and after the section is byte for byte what it was.
    let begin = after
        .find("# >>> appwacht indicators: stalkerware >>>")
        .unwrap();
    let end_marker = "# <<< appwacht indicators: stalkerware <<<\n";
    let end = after.find(end_marker).unwrap() + end_marker.len();
    assert_eq!(&after[..begin], &text[..text.find("# >>>").unwrap()]);
    assert_eq!(&after[end..], OWN_TAIL);
    let section = &after[begin..end];
    assert!(section.contains("com.spytrackpro.v2") && !section.contains("com.phonewatcher.sys"));
    assert!(section.contains("action = \"suspend\""));
    assert_eq!(after.matches("# >>> appwacht indicators").count(), 1);
    // And it is still a policy, with the hand-written exception lifting the imported rule.
    let check = appwacht(&["policy", "check", p]);
    assert_eq!(check.code, 0, "{}", check.err);
    let policy = agent_core::policy::authoring::compile(p, &after, now()).unwrap();
    assert_eq!(policy.exceptions[0].rule, "stalkerware");
}

#[test]
fn a_feed_that_would_deny_an_app_the_organisation_allows_is_refused_unless_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_policy(dir.path(), OWN_POLICY);
    let p = path.to_str().unwrap();
    let refused = import_into(&feed("ioc.yaml"), "stalkerware", p, &[]);
    assert_eq!(refused.code, 1);
    assert!(
        refused.err.contains("names apps that")
            && refused
                .err
                .contains("package `com.familylocator.share` (rule `field-location`)"),
        "{}",
        refused.err
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), OWN_POLICY);
    let accepted = import_into(&feed("ioc.yaml"), "stalkerware", p, &["--accept-overlap"]);
    assert_eq!(accepted.code, 0, "{}", accepted.err);
    assert!(
        accepted.out.contains(
            "denied although allowed (--accept-overlap): package `com.familylocator.share`"
        )
    );
}

#[test]
fn a_stix_bundle_is_read_as_mvt_reads_it_and_an_older_bundle_from_a_mirror_is_refused() {
    let run = import(&[&feed("spyware.stix2"), "--publisher", "spyware", "--json"]);
    assert_eq!(run.code, 0, "{}", run.err);
    let answer: serde_json::Value = serde_json::from_str(&run.out).unwrap();
    assert_eq!(answer["apk_hashes"], 1);
    assert_eq!(answer["other_indicators"], 1);
    let skipped: Vec<&str> = answer["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(
        skipped[0].ends_with("is revoked") && skipped[1].contains("was valid until 2026-06-01")
    );

    // The peer: MVT's own STIX reader, on the same file.
    let mvt = Command::new("python3")
        .arg("-c")
        .arg(
            "import json,logging,sys\nfrom mvt.common.indicators import Indicators\n\
             i=Indicators(log=logging.getLogger())\ni.parse_stix2(sys.argv[1])\n\
             print(json.dumps({c['name']:[sorted(c['app_ids']),sorted(h.lower() for h in c['app_cert_hashes'])] for c in i.ioc_collections}))",
        )
        .arg(feed("spyware.stix2"))
        .output()
        .expect("python3 with mvt (run .ci/test, which installs it)");
    assert!(
        mvt.status.success(),
        "{}",
        String::from_utf8_lossy(&mvt.stderr)
    );
    let theirs: serde_json::Value = serde_json::from_slice(&mvt.stdout).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write_policy(dir.path(), OWN_POLICY);
    let p = path.to_str().unwrap();
    let into = import_into(&feed("spyware.stix2"), "spyware", p, &[]);
    assert_eq!(into.code, 0, "{}", into.err);
    let text = std::fs::read_to_string(&path).unwrap();
    let policy = agent_core::policy::authoring::compile(p, &text, now()).unwrap();
    let ours = |name: &str| {
        let pubr = policy.publishers.values().find(|x| x.name == name).unwrap();
        let mut certs: Vec<String> = pubr.certificates.iter().map(ToString::to_string).collect();
        certs.sort();
        (pubr.packages.clone(), certs)
    };
    // Every collection MVT sees, with the same certificates; the same packages but for the two
    // MVT does not judge (a revoked indicator and one past its valid_until).
    for (name, want) in theirs.as_object().unwrap() {
        let (packages, certs) = ours(name);
        let mut mvt_packages: Vec<String> = serde_json::from_value(want[0].clone()).unwrap();
        mvt_packages.retain(|p| p != "com.nightwatch.revoked" && p != "com.nightwatch.expired");
        assert_eq!(packages, mvt_packages, "{name}");
        assert_eq!(
            certs,
            serde_json::from_value::<Vec<String>>(want[1].clone()).unwrap(),
            "{name}"
        );
    }
    assert_eq!(theirs.as_object().unwrap().len(), 2);

    // A mirror serving last spring's bundle: refused, the policy left as it was.
    let older = import_into(&feed("spyware-older.stix2"), "spyware", p, &[]);
    assert_eq!(older.code, 1);
    assert!(
        older.err.contains("is older than the feed imported before (its newest object is from 2026-06-01T00:00:00.000Z, the imported one's from 2026-10-01T00:00:00.000Z)"),
        "{}",
        older.err
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    let forced = import_into(
        &feed("spyware-older.stix2"),
        "spyware",
        p,
        &["--allow-older"],
    );
    assert_eq!(forced.code, 0, "{}", forced.err);
    assert!(
        forced.out.contains("1 and 0 removed")
            && forced.out.contains("removed package com.nightwatch.v3"),
        "{}",
        forced.out
    );
}

#[test]
fn hostile_and_broken_feeds_are_refused_by_name_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_policy(dir.path(), OWN_POLICY);
    let p = path.to_str().unwrap();
    let write = |name: &str, text: &str| {
        let f = dir.path().join(name);
        std::fs::write(&f, text).unwrap();
        f.display().to_string()
    };
    // An alias bomb in a field the import does not use: 600 bytes that expand to a billion strings.
    let mut bomb = String::from("- name: Bomb\n  packages: [com.bomb.app]\n  c2:\n    l0: &l0 [");
    bomb.push_str(&["\"lol\""; 9].join(","));
    bomb.push_str("]\n");
    for level in 1..10 {
        let refs = vec![format!("*l{}", level - 1); 9].join(",");
        bomb.push_str(&format!("    l{level}: &l{level} [{refs}]\n"));
    }
    bomb.push_str("  websites: *l9\n");
    let cases = [
        (write("bomb.yaml", &bomb), "budget breached"),
        (
            write("notes.json", "{\"type\": \"report\"}"),
            "is JSON but not a STIX bundle",
        ),
        (
            write(
                "cut.stix2",
                "{\"type\": \"bundle\", \"objects\": [{\"type\"",
            ),
            "is not JSON (line 1",
        ),
        (
            write("prose.yaml", "This is not a feed, just text.\n"),
            "neither a STIX 2.1 bundle",
        ),
        (
            write(
                "empty.yaml",
                "- name: Nothing\n  websites: [nothing.example]\n",
            ),
            "no package name or certificate digest could be imported",
        ),
    ];
    for (file, why) in &cases {
        let run = import_into(file, "stalkerware", p, &[]);
        assert_eq!(run.code, 1, "{file}: {}", run.out);
        assert!(
            run.err.contains(why),
            "{file}: expected {why:?} in {}",
            run.err
        );
        assert!(!run.err.contains("panicked"));
    }
    let latin1 = dir.path().join("latin1.yaml");
    std::fs::write(&latin1, b"- name: Espi\xe3o\n  packages: [com.espiao]\n").unwrap();
    let run = import_into(latin1.to_str().unwrap(), "stalkerware", p, &[]);
    assert!(
        run.code == 1 && run.err.contains("is not UTF-8 text"),
        "{}",
        run.err
    );

    // Text in a feed that tries to write TOML of its own: it stays inside its string and comment.
    let injection = write(
        "injection.yaml",
        "- name: \"Spy\\\"\\n[[rules]]\\nid = \\\"evil\\\"\\neffect = \\\"deny\\\"\"\n  names: [\"x\\n[device]\\nlock_task = true\"]\n  packages: [com.injected.spy]\n",
    );
    let run = import_into(&injection, "stalkerware", p, &[]);
    assert_eq!(run.code, 0, "{}", run.err);
    let text = std::fs::read_to_string(&path).unwrap();
    let policy = agent_core::policy::authoring::compile(p, &text, now()).unwrap();
    assert_eq!(
        policy
            .rules
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>(),
        ["field-location", "stalkerware"]
    );
    assert!(
        policy
            .publishers
            .values()
            .any(|x| x.name.starts_with("Spy\"\n[[rules]]"))
    );
    assert!(policy.device.is_empty());

    // The section's markers damaged by hand: refused, nothing written.
    let damaged = text.replace("# <<< appwacht indicators: stalkerware <<<", "# end");
    std::fs::write(&path, &damaged).unwrap();
    let run = import_into(
        &feed("ioc.yaml"),
        "stalkerware",
        p,
        &["--type", "stalkerware"],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.err.contains(
            "the generated section `stalkerware` is damaged (1 start line(s), 0 end line(s))"
        ),
        "{}",
        run.err
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), damaged);
    // A publisher name that cannot be a rule id, and a careless action.
    let run = import(&[&feed("ioc.yaml"), "--publisher", "Stalker Ware"]);
    assert!(run.code == 1 && run.err.contains("use lower-case letters, digits and `-`"));
    let run = import(&[&feed("ioc.yaml"), "--publisher", "s", "--action", "delete"]);
    assert!(run.code == 1 && run.err.contains("`delete` is not one of report"));
}

#[test]
fn a_phone_is_matched_by_a_feeds_sha1_and_explain_says_which_digest_matched() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_policy(dir.path(), OWN_POLICY);
    let p = path.to_str().unwrap();
    assert_eq!(
        import_into(
            &feed("ioc.yaml"),
            "stalkerware",
            p,
            &["--type", "stalkerware"]
        )
        .code,
        0
    );
    assert_eq!(
        import_into(&feed("spyware.stix2"), "spyware", p, &[]).code,
        0
    );
    // Packages as the agent reports them: both digests of each certificate (see jni.rs, which
    // checks that the agent on the JVM computes them). None is named by the feeds.
    let der = |n: u32| format!("test certificate {n}").into_bytes();
    let signed = |name: &str, current: &[u32], history: &[u32]| {
        let mut p = app(name);
        let c: Vec<Vec<u8>> = current.iter().map(|n| der(*n)).collect();
        let h: Vec<Vec<u8>> = history.iter().map(|n| der(*n)).collect();
        p.set_signers_from_der(&c, &h);
        p
    };
    let inv = inventory(
        &[],
        vec![
            // "test certificate 2": the SHA-1 the stalkerware feed gives for SpyTrackPro.
            signed("org.innocent.looking", &[2], &[]),
            // Rotated away from "test certificate 1", whose SHA-256 the STIX bundle gives.
            signed("org.rotated.app", &[7], &[1]),
            signed("org.clean.app", &[5], &[]),
        ],
    );
    let inv_path = dir.path().join("inventory.json");
    std::fs::write(&inv_path, serde_json::to_vec(&inv).unwrap()).unwrap();
    let db = dir.path().join("store.db");
    let db = db.to_str().unwrap();
    let scan = appwacht(&[
        "scan",
        "--policy",
        p,
        "--inventory",
        inv_path.to_str().unwrap(),
        "--db",
        db,
    ]);
    assert_eq!(scan.code, 0, "{}{}", scan.out, scan.err);
    assert!(
        scan.out.contains("3 packages, 2 violations"),
        "{}",
        scan.out
    );
    // What the helpdesk reads for each: the digest that matched, by its name.
    let explain = |package: &str, says: &str| {
        let run = appwacht(&["explain", "--db", db, package]);
        assert_eq!(run.code, 0, "{}", run.err);
        assert!(
            run.out.contains(says),
            "{package}: expected {says:?} in\n{}",
            run.out
        );
    };
    explain(
        "org.innocent.looking",
        "signed with certificate SHA-1 96b8966df3b1dd2efd55504ce1d0392a42299a33 of publisher SpyTrackPro",
    );
    explain(
        "org.rotated.app",
        "signing history holds certificate SHA-256 54b689479f4b7a534a1242c0972f6cfe86ab837f68755d5e2c51bff6aa799ea7 (key rotated since) of publisher NightWatch",
    );
    explain("org.clean.app", "org.clean.app: ALLOWED");
}

#[test]
fn a_sha1_signer_matches_current_and_past_certificates_and_an_allow_by_sha1_is_warned_about() {
    use agent_core::{Engine, Package};
    let sha1 = |n: u32| agent_core::CertSha1::of_der(format!("test certificate {n}").as_bytes());
    let snippet = format!(
        "[[rules]]\nid = \"feed\"\neffect = \"deny\"\naction = \"warn\"\n[rules.match]\nsigners = [\"{}\", \"{}\"]\n\
         [[rules]]\nid = \"vendor\"\neffect = \"allow\"\n[rules.match]\nsigners = [\"{}\"]\n",
        sha1(2),
        sha1(1).to_string().to_uppercase(),
        sha1(4)
    );
    let engine = Engine::new(policy(&snippet));
    let scope = engine.scope(&enrolment(&[]));
    let with = |current: &[u32], history: &[u32]| -> Package {
        let mut p = app("org.some.app");
        let der = |ns: &[u32]| -> Vec<Vec<u8>> {
            ns.iter()
                .map(|n| format!("test certificate {n}").into_bytes())
                .collect()
        };
        p.set_signers_from_der(&der(current), &der(history));
        p
    };
    let current = engine.explain(&with(&[2], &[]), &scope, now());
    assert_eq!(current.decision.rule.as_deref(), Some("feed"));
    let why = format!("{:?}", current);
    assert!(
        why.contains(&format!("signed with certificate SHA-1 {}", sha1(2))),
        "{why}"
    );
    let past = engine.explain(&with(&[3], &[1]), &scope, now());
    assert_eq!(past.decision.rule.as_deref(), Some("feed"));
    assert!(format!("{past:?}").contains(&format!(
        "signing history holds certificate SHA-1 {}",
        sha1(1)
    )));
    // A package known only by SHA-256 (a host inventory without SHA-1) is not matched by a SHA-1.
    let mut only_sha256 = with(&[2], &[]);
    only_sha256.signers_sha1.clear();
    assert_eq!(
        engine.decide(&only_sha256, &scope, now()).rule.as_deref(),
        Some("default")
    );
    let warnings =
        agent_core::policy::authoring::warnings("p.toml", &complete_snippet(&snippet), &[])
            .unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0]
            .message
            .contains("rule `vendor` allows apps by a SHA-1 certificate digest (in its signers)"),
        "{}",
        warnings[0]
    );
}

#[test]
fn an_import_into_an_allow_list_never_does_less_than_its_default_unless_told() {
    // The example policy is an allow-list that suspends what it does not name. A deny rule decides
    // before the default, so an imported rule that only reported would let a stalkerware app off
    // more lightly than any unknown app.
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(root().join("examples/policy.toml")).unwrap();
    let path = write_policy(dir.path(), &example);
    let p = path.to_str().unwrap();
    let run = import_into(
        &feed("ioc.yaml"),
        "stalkerware",
        p,
        &["--type", "stalkerware"],
    );
    assert_eq!(run.code, 0, "{}", run.err);
    let text = std::fs::read_to_string(&path).unwrap();
    let policy = agent_core::policy::authoring::compile(p, &text, now()).unwrap();
    assert_eq!(
        policy.rule("stalkerware").unwrap().action,
        Some(agent_core::Action::Suspend)
    );
    // Told to report, it does, and says what that means.
    let told = import_into(
        &feed("ioc.yaml"),
        "stalkerware",
        p,
        &["--type", "stalkerware", "--action", "report"],
    );
    assert_eq!(told.code, 0, "{}", told.err);
    assert!(
        told.out.contains("warning: the allow-list's default does `suspend` to apps it does not name, and a deny rule decides before the default"),
        "{}",
        told.out
    );
    // A policy that is not valid before the import is not touched.
    let broken = write_policy(dir.path(), "organisation = \"X\"\nversion = \"one\"\n");
    let run = import_into(
        &feed("ioc.yaml"),
        "stalkerware",
        broken.to_str().unwrap(),
        &[],
    );
    assert!(
        run.code == 1
            && run
                .err
                .contains("is not a valid policy before the import; fix it first"),
        "{}",
        run.err
    );
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "organisation = \"X\"\nversion = \"one\"\n"
    );
}

#[test]
fn a_bundle_dated_ahead_of_the_clock_cannot_lock_out_the_honest_feeds_after_it() {
    // One object from the year 2999: taken as the feed's date, it would make every later bundle look
    // older than the one imported, and be refused.
    let dir = tempfile::tempdir().unwrap();
    let path = write_policy(dir.path(), OWN_POLICY);
    let p = path.to_str().unwrap();
    let honest = std::fs::read_to_string(feed("spyware.stix2")).unwrap();
    let ahead = honest.replacen("2026-10-01T00:00:00.000Z", "2999-01-01T00:00:00.000Z", 1);
    assert_ne!(ahead, honest);
    let ahead_file = dir.path().join("ahead.stix2");
    std::fs::write(&ahead_file, ahead).unwrap();
    let run = import_into(ahead_file.to_str().unwrap(), "spyware", p, &[]);
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(
        run.err.contains("is dated 2999-01-01T00:00:00.000Z, ahead of this machine's clock: not used to date the feed"),
        "{}",
        run.err
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("# feed-newest: 2026-10-01T00:00:00.000Z"),
        "{text}"
    );
    let next = import_into(&feed("spyware.stix2"), "spyware", p, &[]);
    assert_eq!(next.code, 0, "{}", next.err);
}
