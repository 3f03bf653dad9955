//! The helpdesk's audit over adb: parsers on dumps from many devices, the same verdicts as the
//! agent, `mvt` as a peer on the same files, and `adb` driven through a fake on PATH.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use agent_core::audit::{AdbDump, DumpError, SignerCheck, audit, parse_dumpsys, parse_pm_list};
use agent_core::policy::authoring;
use agent_core::{CertDigest, Engine, Enrolment, Outcome, Package, Policy};
use appwacht_tests::*;

fn dumps() -> PathBuf {
    root().join("tests/dumps")
}

fn dump_text(name: &str) -> String {
    std::fs::read_to_string(dumps().join(name)).unwrap()
}

fn parse(name: &str) -> AdbDump {
    let mut dump = AdbDump::default();
    parse_dumpsys(name, &dump_text(name), &mut dump, &mut |_| {}).unwrap();
    dump
}

fn audit_policy() -> Policy {
    let path = dumps().join("audit-policy.toml");
    authoring::compile(
        "audit-policy.toml",
        &std::fs::read_to_string(path).unwrap(),
        now(),
    )
    .unwrap()
}

/// The same policy with the PEM certificates taken out: digests only.
fn digest_only_policy() -> Policy {
    let mut policy = audit_policy();
    for p in policy.publishers.values_mut() {
        p.pem_certificates.clear();
    }
    policy
}

/// One package's line of an audit.
fn line_of<'a>(
    audit: &'a agent_core::audit::Audit,
    package: &str,
) -> &'a agent_core::audit::AuditLine {
    audit
        .lines
        .iter()
        .find(|l| l.decision.package == package)
        .unwrap_or_else(|| panic!("{package} is not in the audit"))
}

const DUMPSYS_FIXTURES: &[&str] = &[
    "android7-dumpsys-package.txt",
    "tvbox-android9-dumpsys-package.txt",
    "huawei-android10-truncated-dumpsys-package.txt",
    "android11-dumpsys-package.txt",
    "samsung-android12-dumpsys-package.txt",
    "android13-dumpsys-package.txt",
    "xiaomi-android13-dumpsys-package.txt",
    "android15-dumpsys-package.txt",
];

fn seed_digest(file: &str) -> CertDigest {
    CertDigest::of_der(&std::fs::read(test_data().join("seed-certs").join(file)).unwrap())
}

#[test]
fn every_device_family_parses_with_versions_installers_flags_and_signatures() {
    for name in DUMPSYS_FIXTURES {
        let dump = parse(name);
        let tiktok = &dump.packages["com.zhiliaoapp.musically"];
        assert_eq!(tiktok.version_code, 2023504030, "{name}");
        assert_eq!(tiktok.version_name, "35.4.3", "{name}");
        assert_eq!(
            tiktok.installer.as_deref(),
            Some("com.android.vending"),
            "{name}"
        );
        assert_eq!(tiktok.signatures, vec![0x89d01293], "{name}");
        assert!(!tiktok.system, "{name}");
        // installer=null is no installer; WeChat's hash is the seed certificate's.
        let wechat = &dump.packages["com.tencent.mm"];
        assert_eq!(wechat.installer, None, "{name}");
        assert_eq!(wechat.signatures, vec![0x0962f5b7], "{name}");
        // Shared-uid system packages are packages like any other.
        let settings = &dump.packages["com.android.settings"];
        assert!(settings.system, "{name}");
        assert!(dump.packages["android"].system, "{name}");
        // The factory copy under "Hidden system packages:" is not a second app.
        assert_eq!(
            dump.packages["com.google.android.gms"].version_code, 234414038,
            "{name}"
        );
    }
}

#[test]
fn the_three_seed_certificates_hash_to_what_dumpsys_prints() {
    for (file, hash) in [
        ("com.zhiliaoapp.musically.der", 0x89d01293u32),
        ("com.ss.android.ugc.trill.der", 0x2606a464),
        ("com.tencent.mm.der", 0x0962f5b7),
    ] {
        let der = std::fs::read(test_data().join("seed-certs").join(file)).unwrap();
        assert_eq!(agent_core::audit::signature_hash(&der), hash, "{file}");
    }
}

#[test]
fn vendor_and_version_specifics_are_read() {
    // Android 11: a rotated key shows past signatures.
    let a11 = parse("android11-dumpsys-package.txt");
    let trill = &a11.packages["com.ss.android.ugc.trill"];
    assert_eq!(trill.signatures, vec![0x2606a464]);
    assert_eq!(trill.past_signatures, vec![0xa1b2c3d4]);
    // Android 13: a work profile; WhatsApp only in user 10, not installed for user 0.
    let a13 = parse("android13-dumpsys-package.txt");
    assert_eq!(a13.packages["com.whatsapp"].users, vec![10]);
    assert_eq!(a13.packages["com.zhiliaoapp.musically"].users, vec![0, 10]);
    // Android 15: the agent had suspended TikTok.
    assert!(parse("android15-dumpsys-package.txt").packages["com.zhiliaoapp.musically"].suspended);
    // Samsung: the regional TikTok sits in Secure Folder (user 150), from Galaxy Store.
    let samsung = parse("samsung-android12-dumpsys-package.txt");
    let trill = &samsung.packages["com.ss.android.ugc.trill"];
    assert_eq!(trill.users, vec![150]);
    assert_eq!(
        trill.installer.as_deref(),
        Some("com.sec.android.app.samsungapps")
    );
    // Xiaomi: XSpace clones live in user 999.
    assert_eq!(
        parse("xiaomi-android13-dumpsys-package.txt").packages["com.tencent.mm"].users,
        vec![0, 999]
    );
    // Vendor lines nobody documents are skipped and counted.
    assert_eq!(samsung.skipped_lines, 1);
    assert_eq!(
        parse("xiaomi-android13-dumpsys-package.txt").skipped_lines,
        2
    );
    assert_eq!(parse("tvbox-android9-dumpsys-package.txt").skipped_lines, 1);
    assert_eq!(a13.skipped_lines, 0);
    // A TV box has no Play Store; the launcher is a system app.
    let tv = parse("tvbox-android9-dumpsys-package.txt");
    assert!(!tv.packages.contains_key("com.android.vending"));
    assert!(tv.packages["com.google.android.tvlauncher"].system);
}

#[test]
fn a_truncated_dump_keeps_every_package_it_reached() {
    let dump = parse("huawei-android10-truncated-dumpsys-package.txt");
    assert!(dump.packages.contains_key("com.huawei.appmarket"));
    // The last package's header arrived but nothing after it: it is installed, details unknown.
    let trill = &dump.packages["com.ss.android.ugc.trill"];
    assert_eq!(trill.version_code, 0);
    let result = audit(
        "huawei",
        &dump,
        &audit_policy(),
        &Enrolment::in_groups(vec![]),
        now(),
    );
    let line = line_of(&result, "com.ss.android.ugc.trill");
    // Named by the publisher's package list, so denied even without its signature.
    assert_eq!(line.decision.outcome, Outcome::Denied);
}

#[test]
fn pm_list_reads_paths_with_equals_signs_uids_and_null_installers() {
    let mut dump = AdbDump::default();
    let read = parse_pm_list(&dump_text("android11-pm-list-packages.txt"), &mut dump);
    assert_eq!(read, 4);
    let tiktok = &dump.packages["com.zhiliaoapp.musically"];
    assert_eq!(tiktok.version_code, 2023504030);
    assert_eq!(tiktok.installer.as_deref(), Some("com.android.vending"));
    assert_eq!(dump.packages["com.tencent.mm"].installer, None);
    assert!(dump.packages.contains_key("android"));
    // Android 13 prints one uid per user: 1010234 is user 10.
    let mut multi = AdbDump::default();
    parse_pm_list(&dump_text("android13-pm-list-packages.txt"), &mut multi);
    assert_eq!(
        multi.packages["com.zhiliaoapp.musically"].users,
        vec![0, 10]
    );
    assert_eq!(multi.packages["com.whatsapp"].users, vec![10]);
    // Android 7 without --show-versioncode, and garbage among the lines.
    let mut old = AdbDump::default();
    let text = "package:/data/app/com.tencent.mm-1/base.apk=com.tencent.mm  installer=null\nWARNING: linker: odd\npackage:not a package\n";
    assert_eq!(parse_pm_list(text, &mut old), 1);
    assert_eq!(old.skipped_lines, 2);
}

#[test]
fn the_audit_gives_the_agents_verdict_on_the_same_packages() {
    let policy = audit_policy();
    let enrolment = Enrolment::in_groups(vec!["inspection".to_string()]);
    let engine = Engine::new(policy.clone());
    let scope = engine.scope(&enrolment);
    let by_hash = [
        (0x89d01293u32, seed_digest("com.zhiliaoapp.musically.der")),
        (0x2606a464, seed_digest("com.ss.android.ugc.trill.der")),
        (0x0962f5b7, seed_digest("com.tencent.mm.der")),
    ];
    for name in DUMPSYS_FIXTURES {
        let dump = parse(name);
        let result = audit(name, &dump, &policy, &enrolment, now());
        assert_eq!(result.packages, dump.packages.len());
        for line in &result.lines {
            let a = &dump.packages[&line.decision.package];
            // The package as the agent on the phone sees it: full certificate digests.
            let digests = |hashes: &[u32]| -> Vec<CertDigest> {
                hashes
                    .iter()
                    .filter_map(|h| by_hash.iter().find(|(x, _)| x == h).map(|(_, d)| *d))
                    .collect()
            };
            let agent_view = Package {
                name: a.name.clone(),
                version_code: a.version_code,
                version_name: a.version_name.clone(),
                installer: a.installer.clone(),
                initiating_installer: a.initiating_installer.clone(),
                originating_installer: a.originating_installer.clone(),
                system: a.system,
                signers: digests(&a.signatures),
                signing_history: digests(&a.past_signatures),
                signers_sha1: vec![],
                signing_history_sha1: vec![],
                first_install: now(),
                last_update: now(),
                suspended: a.suspended,
                hidden: a.hidden,
                label: None,
            };
            let expected = engine.decide(&agent_view, &scope, now());
            assert_eq!(
                serde_json::to_value(&line.decision).unwrap(),
                serde_json::to_value(&expected).unwrap(),
                "{name}: {}",
                a.name
            );
        }
        // The clone that only its signer gives away is caught, by a 32-bit hash, and says so.
        let clone = line_of(&result, "com.fastvideo.player.clips");
        assert_eq!(clone.decision.rule.as_deref(), Some("annex-a"), "{name}");
        assert!(
            matches!(&clone.signer, SignerCheck::ByHash { publisher, hash, .. } if publisher == "bytedance" && hash == "89d01293")
        );
    }
}

#[test]
fn without_certificates_the_signer_is_reported_unchecked() {
    let dump = parse("android13-dumpsys-package.txt");
    let result = audit(
        "a13",
        &dump,
        &digest_only_policy(),
        &Enrolment::in_groups(vec![]),
        now(),
    );
    let clone = line_of(&result, "com.fastvideo.player.clips");
    assert_eq!(
        clone.signer,
        SignerCheck::Unchecked {
            hashes: vec!["89d01293".to_string()],
            pull_problem: None,
        }
    );
    // Only the sideload rule catches it now; TikTok itself is still named by its package.
    assert_eq!(clone.decision.rule.as_deref(), Some("sideloaded"));
    let tiktok = line_of(&result, "com.zhiliaoapp.musically");
    assert_eq!(tiktok.decision.outcome, Outcome::Denied);
    assert!(matches!(tiktok.signer, SignerCheck::Unchecked { .. }));
}

#[test]
fn text_that_is_not_a_dump_is_a_clear_error() {
    let mut dump = AdbDump::default();
    let err = parse_dumpsys(
        "notes.txt",
        "Dear helpdesk,\nplease check my phone\n",
        &mut dump,
        &mut |_| {},
    )
    .unwrap_err();
    assert_eq!(
        err,
        DumpError::NotADump {
            what: "notes.txt".to_string(),
            reason: "Dear helpdesk,".to_string()
        }
    );
    assert!(
        parse_dumpsys("empty", "", &mut dump, &mut |_| {})
            .unwrap_err()
            .to_string()
            .contains("it is empty")
    );
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        /// Cut anywhere (even inside a UTF-8 sequence, read lossily as a mailed dump is): no panic,
        /// and every package read is one the whole dump has.
        #[test]
        fn truncation_never_panics(fixture in 0..DUMPSYS_FIXTURES.len(), cut in 0.0f64..1.0) {
            let text = dump_text(DUMPSYS_FIXTURES[fixture]);
            let bytes = &text.as_bytes()[..(text.len() as f64 * cut) as usize];
            let cut_text = String::from_utf8_lossy(bytes);
            let whole = parse(DUMPSYS_FIXTURES[fixture]);
            let mut dump = AdbDump::default();
            if parse_dumpsys("cut", &cut_text, &mut dump, &mut |_| {}).is_ok() {
                for name in dump.packages.keys() {
                    prop_assert!(whole.packages.contains_key(name));
                }
            }
            let mut pm = AdbDump::default();
            parse_pm_list(&cut_text, &mut pm);
        }

        /// Garbage lines inside the sections (indented, as every line of a section is; an
        /// unindented line is a section header in dumpsys's format) are skipped; the packages
        /// still parse: none is invented, and each garbage line can cost at most the one package
        /// block it lands in.
        #[test]
        fn garbage_lines_never_panic(garbage in proptest::collection::vec(("[ ]{1,6}", "\\PC{0,40}"), 1..30), at in proptest::collection::vec(0usize..400, 30)) {
            let text = dump_text("android11-dumpsys-package.txt");
            let whole = parse("android11-dumpsys-package.txt");
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            for (i, (indent, junk)) in garbage.iter().enumerate() {
                let pos = at[i] % lines.len();
                lines.insert(pos, format!("{indent}{junk}"));
            }
            let mut dump = AdbDump::default();
            let parsed = parse_dumpsys("garbage", &lines.join("\n"), &mut dump, &mut |_| {});
            prop_assert!(parsed.is_ok(), "{parsed:?}");
            let headers = garbage.iter().any(|(_, j)| j.contains("Package ["));
            for name in dump.packages.keys() {
                prop_assert!(headers || whole.packages.contains_key(name), "invented {name}");
            }
            prop_assert!(dump.packages.len() + garbage.len() >= whole.packages.len());
            let mut pm = AdbDump::default();
            parse_pm_list(&lines.join("\n"), &mut pm);
        }

        /// Arbitrary text: an error or a dump, never a panic.
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,2000}") {
            let mut dump = AdbDump::default();
            let _ = parse_dumpsys("random", &text, &mut dump, &mut |_| {});
            let _ = parse_pm_list(&text, &mut dump);
        }
    }
}

/// The package names `mvt` (the Mobile Verification Toolkit) finds among the installed packages.
fn mvt_packages(file: &Path) -> BTreeSet<String> {
    mvt_packages_reading(file, false)
}

/// The same, of a full dumpsys (androidqf's `dumpsys.txt`, a bugreport's dumpstate) when
/// `full`: mvt then takes the package service's section with its own extraction.
fn mvt_packages_reading(file: &Path, full: bool) -> BTreeSet<String> {
    let script = "import sys, json\n\
from mvt.android.artifacts.dumpsys_packages import DumpsysPackagesArtifact\n\
a = DumpsysPackagesArtifact()\n\
data = open(sys.argv[1], encoding='utf-8', errors='replace').read()\n\
data = a.extract_dumpsys_section(data, 'DUMP OF SERVICE package:') if sys.argv[2] == 'full' else data\n\
a.parse(data)\n\
print(json.dumps(sorted({r['package_name'] for r in a.results if r['package_type'] == 'active'})))\n";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(file)
        .arg(if full { "full" } else { "package" })
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "mvt failed (is it installed? .ci/test installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<String>>(&out.stdout)
        .unwrap()
        .into_iter()
        .collect()
}

#[test]
fn mvt_finds_the_same_packages_on_every_dump() {
    let big = tempfile::tempdir().unwrap();
    let big_file = big.path().join("big.txt");
    std::fs::write(&big_file, adb::large_dump(400)).unwrap();
    let mut files: Vec<PathBuf> = DUMPSYS_FIXTURES.iter().map(|n| dumps().join(n)).collect();
    files.push(big_file);
    for file in files {
        let mut dump = AdbDump::default();
        let text = std::fs::read_to_string(&file).unwrap();
        parse_dumpsys("peer", &text, &mut dump, &mut |_| {}).unwrap();
        let ours: BTreeSet<String> = dump.packages.keys().cloned().collect();
        assert_eq!(ours, mvt_packages(&file), "{}", file.display());
    }
}

#[test]
fn audit_from_a_directory_shows_progress_findings_and_exits_one_on_violations() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("dumpsys-package.txt"), adb::large_dump(120)).unwrap();
    std::fs::copy(
        dumps().join("android13-pm-list-packages.txt"),
        dir.path().join("pm-list-packages.txt"),
    )
    .unwrap();
    let policy = dumps().join("audit-policy.toml");
    let run = appwacht(&[
        "audit",
        "--from",
        dir.path().to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.err);
    assert!(
        run.err.contains("dumpsys-package.txt: 50 packages read"),
        "{}",
        run.err
    );
    assert!(run.err.contains(": 100 packages read"), "{}", run.err);
    assert!(
        run.out
            .contains("VIOLATION com.zhiliaoapp.musically (rule annex-a, agent would: suspend)"),
        "{}",
        run.out
    );
    let samsung = appwacht(&[
        "audit",
        "--from",
        dumps()
            .join("samsung-android12-dumpsys-package.txt")
            .to_str()
            .unwrap(),
        "--policy",
        policy.to_str().unwrap(),
    ]);
    let trill = samsung
        .out
        .split("VIOLATION com.ss.android.ugc.trill")
        .nth(1)
        .unwrap();
    assert!(
        trill
            .lines()
            .nth(3)
            .unwrap()
            .contains("installed for users: 150"),
        "{}",
        samsung.out
    );
    assert!(
        run.out.contains("matched by its 32-bit hash 89d01293"),
        "{}",
        run.out
    );
    // pm list adds WhatsApp's work-profile install, which this dumpsys lacks: 120 + 1 packages.
    assert!(run.out.contains(": 121 packages, "), "{}", run.out);

    let json = appwacht(&[
        "audit",
        "--json",
        "--from",
        dumps()
            .join("android7-dumpsys-package.txt")
            .to_str()
            .unwrap(),
        "--policy",
        policy.to_str().unwrap(),
        "--group",
        "inspection",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json.out).unwrap();
    assert_eq!(v["packages"], 8);
    let wechat = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["decision"]["package"] == "com.tencent.mm")
        .unwrap();
    assert_eq!(wechat["signer"]["check"], "by_hash");
    assert_eq!(wechat["signer"]["publisher"], "tencent");
    assert_eq!(wechat["users"], serde_json::json!([0]));

    let bad = appwacht(&[
        "audit",
        "--from",
        root().join("README.md").to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.err
            .contains("README.md holds no package list (it starts with \"# Appwacht\")"),
        "{}",
        bad.err
    );
    let empty = tempfile::tempdir().unwrap();
    let nothing = appwacht(&[
        "audit",
        "--from",
        empty.path().to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(nothing.code, 2);
    assert!(
        nothing
            .err
            .contains("holds no files: expected saved adb output (dumpsys-package.txt, pm-list-packages.txt) or an androidqf folder"),
        "{}",
        nothing.err
    );
    let neither = appwacht(&["audit", "--policy", policy.to_str().unwrap()]);
    assert_eq!(neither.code, 2, "{}", neither.err);
}

/// A fake `adb` on PATH: records its arguments, answers like a phone (an old one refuses
/// `--show-versioncode`, as Android 7 does).
fn fake_adb(dir: &Path, old_phone: bool) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = dir.join("adb.log");
    let (dumpsys, pm) = if old_phone {
        (
            "android7-dumpsys-package.txt",
            "android11-pm-list-packages.txt",
        )
    } else {
        (
            "android13-dumpsys-package.txt",
            "android13-pm-list-packages.txt",
        )
    };
    let script = format!(
        "#!/bin/sh\necho \"$*\" >> '{log}'\ncase \"$*\" in\n  *--show-versioncode*) {old} ;;\n  *'pm list packages'*) cat '{pm}' ;;\n  *'dumpsys package'*) cat '{dumpsys}' ;;\n  *) echo \"adb: unexpected $*\" >&2; exit 1 ;;\nesac\n",
        log = log.display(),
        old = if old_phone {
            "echo 'Error: Unknown option: --show-versioncode' >&2; exit 255".to_string()
        } else {
            format!("cat '{}'", dumps().join(pm).display())
        },
        pm = dumps().join(pm).display(),
        dumpsys = dumps().join(dumpsys).display(),
    );
    let path = bin.join("adb");
    std::fs::write(&path, script).unwrap();
    Command::new("chmod").arg("+x").arg(&path).status().unwrap();
    bin
}

fn run_with_path(bin: &Path, args: &[&str]) -> std::process::Output {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new(appwacht_binary())
        .args(args)
        .env("PATH", path)
        .output()
        .unwrap()
}

#[test]
fn audit_over_adb_runs_the_documented_commands_and_saves_the_dump() {
    let dir = tempfile::tempdir().unwrap();
    let bin = fake_adb(dir.path(), false);
    let saved = dir.path().join("saved");
    let policy = dumps().join("audit-policy.toml");
    let out = run_with_path(
        &bin,
        &[
            "audit",
            "--adb",
            "--serial",
            "R58M12ABCDE",
            "--save",
            saved.to_str().unwrap(),
            "--policy",
            policy.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("Audit of R58M12ABCDE against Gemeente Voorbeeld policy v7"),
        "{stdout}"
    );
    let log = std::fs::read_to_string(dir.path().join("adb.log")).unwrap();
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        [
            "-s R58M12ABCDE shell pm list packages -f -U -i --show-versioncode",
            "-s R58M12ABCDE shell dumpsys package"
        ]
    );
    // The saved output audits to the same verdict later.
    let later = appwacht(&[
        "audit",
        "--from",
        saved.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(
        later.out.lines().skip(1).collect::<Vec<_>>(),
        stdout.lines().skip(1).collect::<Vec<_>>()
    );

    // An Android 7 phone refuses --show-versioncode: the audit asks again with fewer options.
    let old = tempfile::tempdir().unwrap();
    let bin = fake_adb(old.path(), true);
    let out = run_with_path(
        &bin,
        &["audit", "--adb", "--policy", policy.to_str().unwrap()],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = std::fs::read_to_string(old.path().join("adb.log")).unwrap();
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        [
            "shell pm list packages -f -U -i --show-versioncode",
            "shell pm list packages -f -U -i",
            "shell dumpsys package"
        ]
    );
}

#[test]
fn debian_adb_accepts_the_command_line_and_its_failure_is_reported() {
    // The real adb (Debian's), with no phone: our arguments get past its parser to "device not
    // found", and the audit says which command failed and what adb said.
    let empty = tempfile::tempdir().unwrap();
    let policy = dumps().join("audit-policy.toml");
    let out = Command::new(appwacht_binary())
        .args([
            "audit",
            "--adb",
            "--serial",
            "appwacht-no-such-phone",
            "--policy",
            policy.to_str().unwrap(),
        ])
        .env("HOME", empty.path())
        .env("ANDROID_ADB_SERVER_PORT", "15037")
        .output()
        .unwrap();
    let _ = Command::new("adb")
        .args(["-P", "15037", "kill-server"])
        .output();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("`adb -s appwacht-no-such-phone shell pm list packages -f -U -i --show-versioncode` failed"), "{err}");
    assert!(err.contains("not found"), "{err}");
}

/// Issue 10.13: the audit reads the system-recorded initiating package where the dump has it
/// (Android 11+), so an app installed over adb that claims the Play Store is side-loaded there too.
#[test]
fn the_audit_judges_an_adb_install_claiming_the_store_as_side_loaded() {
    let text = dump_text("android13-dumpsys-package.txt");
    let claimed = "    initiatingPackageName=com.android.vending\n    originatingPackageName=null\n    installerPackageName=com.android.vending";
    assert!(text.contains(claimed));
    let spoofed = text.replacen(
        claimed,
        "    initiatingPackageName=com.android.shell\n    originatingPackageName=null\n    installerPackageName=com.android.vending",
        1,
    );
    let mut dump = AdbDump::default();
    parse_dumpsys("spoofed", &spoofed, &mut dump, &mut |_| {}).unwrap();
    let tiktok = &dump.packages["com.zhiliaoapp.musically"];
    assert_eq!(tiktok.installer.as_deref(), Some("com.android.vending"));
    assert_eq!(
        tiktok.initiating_installer.as_deref(),
        Some("com.android.shell")
    );
    let sideloaded = appwacht_tests::policy(
        "[[rules]]\nid = \"sideloaded\"\neffect = \"deny\"\naction = \"suspend\"\nmatch = { app = \"user\", not_installed_by = [\"com.android.vending\"] }\n",
    );
    let result = audit("spoofed", &dump, &sideloaded, &enrolment(&[]), now());
    let line = line_of(&result, "com.zhiliaoapp.musically");
    assert_eq!(
        line.decision.outcome,
        Outcome::Denied,
        "{:?}",
        line.decision
    );
    assert!(line.decision.reason.contains("com.android.shell"));
}

// ---- What helpdesks actually have (issue 14.1–14.3) ----

fn helpdesk(name: &str) -> String {
    dumps()
        .join("helpdesk")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

fn audit_of(from: &str, extra: &[&str]) -> Run {
    let policy = dumps().join("audit-policy.toml");
    let mut args = vec![
        "audit",
        "--from",
        from,
        "--policy",
        policy.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    appwacht(&args)
}

/// The verdicts of a JSON audit, by package: what must be the same whatever the input's form.
fn verdicts(json: &str) -> Vec<(String, String, bool)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["decision"]["package"].as_str().unwrap().to_string(),
                l["decision"]["outcome"].as_str().unwrap().to_string(),
                l["installed"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn an_app_not_installed_for_any_user_is_not_a_violation() {
    let text = std::fs::read_to_string(helpdesk("debloated-dumpsys-package.txt")).unwrap();
    let mut dump = AdbDump::default();
    parse_dumpsys("debloated", &text, &mut dump, &mut |_| {}).unwrap();
    let tiktok = &dump.packages["com.zhiliaoapp.musically"];
    assert!(tiktok.users.is_empty());
    assert_eq!(tiktok.kept_for, [0, 10]);
    let result = audit(
        "debloated",
        &dump,
        &audit_policy(),
        &Enrolment::in_groups(vec![]),
        now(),
    );
    let line = line_of(&result, "com.zhiliaoapp.musically");
    assert!(!line.installed && !line.is_violation());
    assert_eq!(result.not_installed, 1);
    // WhatsApp is installed in the work profile only: still installed, per user.
    let whatsapp = line_of(&result, "com.whatsapp");
    assert!(whatsapp.installed && whatsapp.users == [10] && whatsapp.kept_for == [0]);
    let run = audit_of(&helpdesk("debloated-dumpsys-package.txt"), &[]);
    assert!(
        !run.out.contains("VIOLATION com.zhiliaoapp.musically"),
        "{}",
        run.out
    );
    assert!(
        run.out
            .contains("com.zhiliaoapp.musically not installed (data kept for users 0, 10)"),
        "{}",
        run.out
    );
}

#[test]
fn an_androidqf_folder_is_read_with_its_full_certificate_digests_and_the_rest_is_listed_not_used() {
    let run = audit_of(&helpdesk("androidqf"), &[]);
    assert_eq!(run.code, 1, "{}", run.err);
    for used in [
        "dumpsys.txt: read as the package section",
        "packages.json: read as androidqf packages.json",
    ] {
        assert!(run.err.contains(used), "{}", run.err);
    }
    for (file, why) in [
        ("backup.ab", "is a binary file, not saved adb output"),
        ("getprop.txt", "holds no package list"),
        ("acquisition.json", "holds no package list"),
    ] {
        assert!(
            run.err.contains(&format!(
                "not used: {}: {why}",
                helpdesk(&format!("androidqf/{file}"))
            )),
            "{}",
            run.err
        );
    }
    // The clone is caught by its full certificate digest, not a 32-bit hash, and the audit says so.
    assert!(
        run.out.contains("signer: bytedance (certificate 9041803e91bcb814b4b4399fb5c85a91640b755e5e8ba76813814bf4cf2ab5ba, verified by digest)"),
        "{}",
        run.out
    );
    assert!(
        run.out
            .contains("3 verified by their full certificate SHA-256"),
        "{}",
        run.out
    );
    // The usagestats service's own `Packages:` header is not the package list.
    assert!(!run.out.contains("com.bogus.notinstalled"), "{}", run.out);
}

#[test]
fn an_androidqf_zip_a_bugreport_zip_and_windows_copies_give_the_folders_verdicts() {
    let folder = verdicts(&audit_of(&helpdesk("androidqf"), &["--json"]).out);
    let zip = audit_of(&helpdesk("androidqf.zip"), &["--json"]);
    assert_eq!(verdicts(&zip.out), folder, "{}", zip.err);
    let bugreport = audit_of(&helpdesk("bugreport.zip"), &["--json"]);
    let plain = verdicts(
        &audit_of(
            &dumps()
                .join("android13-dumpsys-package.txt")
                .display()
                .to_string(),
            &["--json"],
        )
        .out,
    );
    assert_eq!(verdicts(&bugreport.out), plain, "{}", bugreport.err);
    assert!(
        bugreport
            .err
            .contains("FS/data/misc/logd/event-log-tags: is a binary file"),
        "{}",
        bugreport.err
    );
    for copy in ["dumpsys-package-utf16.txt", "dumpsys-package-crlf.txt"] {
        let run = audit_of(&helpdesk(copy), &["--json"]);
        assert_eq!(verdicts(&run.out), plain, "{copy}: {}", run.err);
    }
    let utf16_pm = audit_of(&helpdesk("pm-list-packages-utf16.txt"), &["--json"]);
    assert!(
        utf16_pm.err.contains("read as pm list packages"),
        "{}",
        utf16_pm.err
    );
}

#[test]
fn binary_input_is_one_sentence_that_never_echoes_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let apk = dir.path().join("base.apk");
    let mut bytes = b"PK\x05\x06".to_vec(); // not even a readable zip
    bytes.extend((0u8..=255).cycle().take(4096));
    std::fs::write(&apk, &bytes).unwrap();
    for input in [apk.display().to_string(), helpdesk("androidqf/backup.ab")] {
        let run = audit_of(&input, &[]);
        assert_eq!(run.code, 2, "{}", run.err);
        let lines: Vec<&str> = run.err.lines().collect();
        assert_eq!(lines.len(), 1, "{}", run.err);
        assert!(
            lines[0].ends_with("is a binary file, not saved adb output"),
            "{}",
            run.err
        );
        assert!(
            run.err.chars().all(|c| !c.is_control() || c == '\n'),
            "{:?}",
            run.err
        );
    }
}

#[test]
fn the_audit_names_its_policy_and_each_packages_installer_version_and_system_flag_and_becomes_a_report()
 {
    let run = audit_of(&helpdesk("androidqf"), &["--json"]);
    let v: serde_json::Value = serde_json::from_str(&run.out).unwrap();
    let policy = &v["policy"];
    assert_eq!(policy["organisation"], "Gemeente Voorbeeld");
    assert_eq!(policy["version"], 7);
    assert_eq!(policy["rules_hash"].as_str().unwrap().len(), 16);
    assert_eq!(policy["sha256"].as_str().unwrap().len(), 64);
    let tiktok = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["decision"]["package"] == "com.zhiliaoapp.musically")
        .unwrap();
    assert_eq!(tiktok["installer"], "com.android.vending");
    assert_eq!(tiktok["version_code"], 2023504030i64);
    assert_eq!(tiktok["version_name"], "35.4.3");
    assert_eq!(tiktok["system"], false);
    // Filed, then shown again later as it was judged (no policy needed, nothing judged anew).
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("audit.json");
    std::fs::write(&saved, &run.out).unwrap();
    let html = appwacht(&[
        "audit",
        "--from",
        saved.to_str().unwrap(),
        "--report",
        "HTML",
    ]);
    assert_eq!(html.code, 1, "{}", html.err);
    assert!(html.out.starts_with("<!DOCTYPE html>"), "{}", html.out);
    assert!(
        html.out.contains("Gemeente Voorbeeld</b> policy version 7"),
        "{}",
        html.out
    );
    assert!(html.out.contains("@page{size:A4 portrait"), "{}", html.out);
    let text = appwacht(&[
        "audit",
        "--from",
        saved.to_str().unwrap(),
        "--report",
        "text",
    ]);
    assert!(
        text.out
            .starts_with(&format!("Audit of {}", helpdesk("androidqf"))),
        "{}",
        text.out
    );
    assert!(
        text.out
            .contains(&format!("judged {}", v["judged_at"].as_str().unwrap())),
        "{}",
        text.out
    );
}

#[test]
fn list_skipped_shows_each_line_not_used_with_its_file_and_number() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dumpsys-package.txt");
    let text = std::fs::read_to_string(dumps().join("android13-dumpsys-package.txt"))
        .unwrap()
        .replacen(
            "    versionName=35.4.3\n",
            "    versionName=35.4.3\n    ☃ a line nobody wrote\n",
            1,
        );
    std::fs::write(&file, text).unwrap();
    let run = audit_of(file.to_str().unwrap(), &["--list-skipped"]);
    assert!(
        run.err.contains(&format!(
            "skipped line {}:218: ☃ a line nobody wrote",
            file.display()
        )),
        "{}",
        run.err
    );
}

#[test]
fn mvt_finds_the_same_packages_in_an_androidqf_folder() {
    let run = audit_of(&helpdesk("androidqf"), &["--json"]);
    let ours: BTreeSet<String> = verdicts(&run.out).into_iter().map(|(p, _, _)| p).collect();
    assert_eq!(
        ours,
        mvt_packages_reading(Path::new(&helpdesk("androidqf/dumpsys.txt")), true)
    );
}

/// An archive is not trusted to be what it says: an entry that unpacks to 600 MiB (2.7 MB of
/// zip) is not read, and the rest of the archive still is.
#[test]
fn a_zip_bomb_is_not_unpacked() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bugreport.zip");
    let script = r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, compresslevel=1) as z:
    with z.open('dumpsys.txt', 'w', force_zip64=True) as f:
        for i in range(600):
            f.write(bytes(1 << 20))
    z.writestr('pm-list-packages.txt', 'package:com.example.a versionCode:1 installer=null uid:10100\n')
"#;
    let made = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&bomb)
        .status()
        .unwrap();
    assert!(made.success());
    let run = audit_of(bomb.to_str().unwrap(), &[]);
    assert!(
        run.err.contains("dumpsys.txt: larger than 512 MiB"),
        "{}",
        run.err
    );
    assert!(
        run.err
            .contains("pm-list-packages.txt: read as pm list packages"),
        "{}",
        run.err
    );
}

/// androidqf's `packages.json` comes from `pm list packages -u`, which lists apps removed with
/// their data kept too: its uid says nothing of whether an app is installed, so it never makes
/// a debloated app count as installed.
#[test]
fn packages_json_never_makes_a_removed_app_installed_again() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        helpdesk("debloated-dumpsys-package.txt"),
        dir.path().join("dumpsys-package.txt"),
    )
    .unwrap();
    std::fs::copy(
        helpdesk("androidqf/packages.json"),
        dir.path().join("packages.json"),
    )
    .unwrap();
    let run = audit_of(dir.path().to_str().unwrap(), &["--json"]);
    let v: serde_json::Value = serde_json::from_str(&run.out).unwrap();
    let tiktok = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["decision"]["package"] == "com.zhiliaoapp.musically")
        .unwrap();
    assert_eq!(tiktok["installed"], false, "{tiktok}");
    assert_eq!(tiktok["signer"]["check"], "by_digest", "{tiktok}");
    assert_eq!(v["not_installed"], 1);
}
