//! The JNI adapter, for real: the host build of `libappwacht.so` loaded by OpenJDK with
//! `-Xcheck:jni`, against Java doubles of the framework classes; and the check that every double
//! and every JNI descriptor matches the platform's public API listing.

use std::sync::OnceLock;

use agent_core::CertDigest;
use appwacht::descriptors::{self, Kind};
use appwacht_tests::jvm::{HarnessRun, JniMember, class_names, javap, listing, run_harness};
use appwacht_tests::{enrolment, now};

/// The adapter's reading, through the test-only JSON hooks. Everything that judges or acts is
/// driven through the typed API as the app drives it (`android/jvm/kotlin-tests/AgentTest.kt`, run
/// by `tests/kotlin.rs` under CheckJNI at SDK 34 and 29).
const SCENARIOS: &[&str] = &[
    "init",
    "inventory-5000",
    "getter-throws",
    "signers",
    "panic",
    "changed-packages",
    "essentials",
    "per-user",
];

fn inputs() -> Vec<(&'static str, Vec<u8>)> {
    appwacht_tests::jvm::harness_inputs()
}

/// All scenarios on an SDK 34 device, in one JVM.
fn sdk34() -> &'static HarnessRun {
    static RUN: OnceLock<HarnessRun> = OnceLock::new();
    RUN.get_or_init(|| run_harness(34, &inputs(), SCENARIOS))
}

/// The reading scenarios on an SDK 29 device (before getInstallSourceInfo and PackageInfoFlags).
fn sdk29() -> &'static HarnessRun {
    static RUN: OnceLock<HarnessRun> = OnceLock::new();
    RUN.get_or_init(|| run_harness(29, &inputs(), &["init", "signers"]))
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

// ---- The doubles and the descriptors against the platform's API listing ----

#[test]
fn every_framework_member_the_rust_code_calls_is_in_the_api_listing() {
    let listing = listing();
    let mut checked = 0;
    for m in descriptors::ALL
        .iter()
        .filter(|m| m.class.starts_with("android/"))
    {
        let member = JniMember {
            class: m.class.into(),
            name: m.name.into(),
            descriptor: m.descriptor.into(),
            is_static: matches!(m.kind, Kind::StaticMethod | Kind::StaticField),
        };
        assert!(
            listing.members.contains(&member),
            "{member:?} is not in current-subset.txt with that signature"
        );
        checked += 1;
    }
    assert!(checked >= 30, "{checked}");
    // The parser itself: a known member with generics, nested classes and annotations.
    assert!(listing.members.contains(&JniMember {
        class: "android/content/pm/PackageManager".into(),
        name: "getInstalledPackages".into(),
        descriptor: "(Landroid/content/pm/PackageManager$PackageInfoFlags;)Ljava/util/List;".into(),
        is_static: false,
    }));
}

#[test]
fn every_constant_the_rust_code_uses_has_the_listings_value() {
    let constants = &listing().constants;
    for (class, field, value) in descriptors::CONSTANTS {
        let listed = constants
            .get(&(class.to_string(), field.to_string()))
            .unwrap_or_else(|| panic!("{class}.{field} is not in the listing"));
        assert_eq!(listed.parse::<i64>().unwrap(), *value, "{class}.{field}");
    }
    for (class, field, value) in descriptors::STRING_CONSTANTS {
        assert_eq!(
            constants[&(class.to_string(), field.to_string())],
            format!("\"{value}\""),
            "{class}.{field}"
        );
    }
}

#[test]
fn every_public_member_of_the_framework_doubles_is_in_the_api_listing() {
    let doubles = class_names("android/");
    assert!(doubles.len() >= 15, "{doubles:?}");
    let members = javap(&doubles, true);
    assert!(
        members.len() >= 60,
        "javap found only {} members",
        members.len()
    );
    let listing = listing();
    let strays: Vec<&JniMember> = members.iter().filter(|m| !listing.allows(m)).collect();
    assert!(
        strays.is_empty(),
        "members of the doubles that are not platform API:\n{strays:#?}"
    );
}

#[test]
fn the_app_hooks_the_native_code_calls_exist_with_those_signatures() {
    let app = javap(&class_names("nl/appwacht/agent/"), false);
    for m in descriptors::ALL
        .iter()
        .filter(|m| m.class.starts_with("nl/appwacht/"))
    {
        let member = JniMember {
            class: m.class.into(),
            name: m.name.into(),
            descriptor: m.descriptor.into(),
            is_static: m.kind == Kind::StaticMethod,
        };
        assert!(
            app.contains(&member),
            "{member:?} is not in the app's Java classes"
        );
    }
    assert!(
        app.iter()
            .any(|m| m.class == descriptors::AGENT_EXCEPTION && m.name == "<init>")
    );
}

// ---- The library on the JVM ----

#[test]
fn loads_and_reports_sdk_package_and_ownership() {
    for (run, sdk) in [(sdk34(), 34), (sdk29(), 29)] {
        let v: serde_json::Value = run.json("init");
        assert_eq!(
            v,
            serde_json::json!({"sdk": sdk, "package": "nl.appwacht.agent", "owner": true})
        );
    }
}

#[test]
fn reads_5000_packages_without_a_single_jni_warning() {
    let run = sdk34();
    let inv = run.json("inventory-5000");
    let packages = inv["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 5000);
    assert_eq!(packages[4999]["name"], "com.example.bulk4999");
    assert_eq!(packages[4999]["version_code"], 1_000_004_999i64);
    assert_eq!(packages[0]["system"], true);
    assert_eq!(packages[1]["system"], false);
    let expected = CertDigest::of_der(b"test certificate 4999").to_string();
    assert_eq!(packages[4999]["signers"][0], expected.as_str());
    assert!(
        run.jni_warnings().is_empty(),
        "-Xcheck:jni reported:\n{}",
        run.jni_warnings().join("\n")
    );
    for r in [sdk34(), sdk29()] {
        assert!(r.stdout.contains(" passed, "), "{}", r.stdout);
    }
}

#[test]
fn a_package_whose_getter_throws_is_reported_and_the_scan_goes_on() {
    let inv = sdk34().json("getter-throws");
    assert_eq!(inv["packages"].as_array().unwrap().len(), 9);
    let unreadable = &inv["unreadable"][0];
    assert_eq!(unreadable["name"], "com.example.app5");
    let error = unreadable["error"].as_str().unwrap();
    assert!(error.contains("PackageInfo.getLongVersionCode threw java.lang.IllegalStateException: simulated failure"), "{error}");
}

#[test]
fn multiple_signers_a_rotated_key_hidden_and_removed_packages() {
    for run in [sdk34(), sdk29()] {
        let inv = run.json("signers");
        let by_name = |n: &str| {
            inv["packages"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == n)
                .cloned()
        };
        let two = by_name("com.example.twosigners").unwrap();
        assert_eq!(
            strings(&two["signers"]),
            [
                CertDigest::of_der(b"test certificate 1").to_string(),
                CertDigest::of_der(b"test certificate 2").to_string()
            ]
        );
        assert!(two["signing_history"].as_array().unwrap().is_empty());
        // And their SHA-1, which indicator feeds name certificates by.
        assert_eq!(
            strings(&two["signers_sha1"]),
            [
                agent_core::CertSha1::of_der(b"test certificate 1").to_string(),
                "96b8966df3b1dd2efd55504ce1d0392a42299a33".to_string()
            ]
        );
        // The key was rotated away from TikTok's certificate: the history still names it.
        let rotated = by_name("com.example.rotated").unwrap();
        assert_eq!(
            strings(&rotated["signing_history"]),
            ["9041803e91bcb814b4b4399fb5c85a91640b755e5e8ba76813814bf4cf2ab5ba"]
        );
        // TikTok's certificate by SHA-1 too, as `keytool -printcert` gives it for the real file
        // (tests/data/seed-certs).
        assert_eq!(
            strings(&rotated["signing_history_sha1"]),
            ["d79f7cb8509a5e7e71c4f2afcfb75ea8c87177ca"]
        );
        assert_eq!(
            strings(&rotated["signers"]),
            [CertDigest::of_der(b"test certificate 9").to_string()]
        );
        let updated = by_name("com.vendor.updated").unwrap();
        assert_eq!(
            (updated["system"].as_bool(), updated["installer"].is_null()),
            (Some(true), true)
        );
        // An app the agent hid stays visible (or its block would be forgotten); a removed one is gone.
        let hidden = by_name("com.example.hidden").unwrap();
        assert_eq!(
            (hidden["hidden"].as_bool(), hidden["suspended"].as_bool()),
            (Some(true), Some(true))
        );
        assert!(by_name("com.example.old").is_none());
        assert_eq!(
            inv["device"],
            // With no default launcher the HOME resolution is the platform's chooser ("android");
            // the agent is the active admin.
            serde_json::json!({"id": "TEST-7", "groups": ["inspection"], "sdk": run.json("init")["sdk"],
                "essentials": ["android", "nl.appwacht.agent"],
                "powers": {"management": "device_owner", "user": 0, "work_profile": false}})
        );
    }
}

#[test]
fn sdk_29_and_sdk_34_take_their_own_paths() {
    let calls34 = strings(&sdk34().state("signers")["calls"]);
    assert!(
        calls34.contains(&"getInstalledPackages(PackageInfoFlags)".to_string()),
        "{calls34:?}"
    );
    assert!(
        calls34.contains(&"getInstallSourceInfo(String)".to_string()),
        "{calls34:?}"
    );
    assert!(
        !calls34
            .iter()
            .any(|c| c == "getInstallerPackageName(String)" || c == "getInstalledPackages(int)"),
        "{calls34:?}"
    );
    let calls29 = strings(&sdk29().state("signers")["calls"]);
    assert!(
        calls29.contains(&"getInstalledPackages(int)".to_string()),
        "{calls29:?}"
    );
    assert!(
        calls29.contains(&"getInstallerPackageName(String)".to_string()),
        "{calls29:?}"
    );
    assert!(
        !calls29
            .iter()
            .any(|c| c.contains("PackageInfoFlags") || c.contains("InstallSourceInfo")),
        "{calls29:?}"
    );
    for run in [sdk34(), sdk29()] {
        let inv = run.json("signers");
        let rotated = inv["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "com.example.rotated")
            .unwrap()
            .clone();
        assert_eq!(rotated["installer"], "com.android.vending");
    }
}

/// Issue 10.13: an app installed over adb claiming the managed store (`pm install -i
/// com.android.vending`). From Android 11 the adapter reads the system-recorded initiating
/// package, and an `installed_by` rule no longer takes the claim for the truth.
#[test]
fn an_install_over_adb_that_claims_the_store_is_judged_side_loaded() {
    let find = |run: &HarnessRun| -> agent_core::Package {
        let inv = run.json("signers");
        let p = inv["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "com.example.adbinstalled")
            .unwrap()
            .clone();
        serde_json::from_value(p).unwrap()
    };
    let modern = find(sdk34());
    assert_eq!(modern.installer.as_deref(), Some("com.android.vending"));
    assert_eq!(
        modern.initiating_installer.as_deref(),
        Some("com.android.shell")
    );
    let engine = agent_core::Engine::new(appwacht_tests::policy(
        "[[rules]]\nid = \"sideloaded\"\neffect = \"deny\"\naction = \"suspend\"\nmatch = { app = \"user\", not_installed_by = [\"com.android.vending\"] }\n",
    ));
    let scope = engine.scope(&enrolment(&[]));
    let d = engine.decide(&modern, &scope, now());
    assert_eq!(d.outcome, agent_core::Outcome::Denied, "{d:?}");
    assert!(d.reason.contains("claims `com.android.vending`"), "{d:?}");
    // Android 10 has no InstallSourceInfo: only the claim is known.
    let old = find(sdk29());
    assert_eq!(old.initiating_installer, None);
    assert_eq!(
        engine.decide(&old, &scope, now()).outcome,
        agent_core::Outcome::Allowed
    );
}

#[test]
fn changed_packages_since_a_sequence_number() {
    let v = sdk34().json("changed-packages");
    assert_eq!(
        v[0],
        serde_json::json!({"sequence": 7, "packages": ["com.example.new", "com.example.updated"]})
    );
    assert!(v[1].is_null(), "nothing changed since 7");
}

#[test]
fn a_rust_panic_reaches_java_as_an_exception_not_an_abort() {
    let run = sdk34();
    let error = run.error("panic");
    assert!(
        error.starts_with(
            "nl.appwacht.agent.AgentException: internal error in the Appwacht native library"
        ),
        "{error}"
    );
    assert!(error.contains("index out of bounds"), "{error}");
    // The JVM went on to the next scenario.
    assert!(run.result("changed-packages").contains("sequence"));
}

/// Issue 12.9: the phone's own never-block set, read from the platform: the default launcher (the
/// HOME resolution), the default SMS app, the current keyboard and the active device admins.
#[test]
fn the_inventory_names_what_this_phone_cannot_work_without() {
    let inv = sdk34().json("essentials");
    // Issue 12.10: each app's label as the home screen shows it; none when the platform can only
    // answer the package name.
    let label = |name: &str| {
        inv["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["label"]
            .clone()
    };
    assert_eq!(label("com.vendor.launcher"), "Vendor Launcher");
    assert!(label("com.example.nolabel").is_null());
    assert_eq!(
        strings(&inv["device"]["essentials"]),
        [
            "com.vendor.launcher",
            "com.vendor.messaging",
            "com.vendor.keyboard",
            "nl.appwacht.agent",
            "com.vendor.findmydevice"
        ]
    );
}

/// Packages exist per user: the agent reads the packages of the user it runs as (the device's
/// owner, or the work profile it owns), as PackageManager answers for the calling user only.
#[test]
fn the_inventory_is_the_calling_users_packages() {
    let v = sdk34().json("per-user");
    let names = |inv: &serde_json::Value| -> Vec<String> {
        inv["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&v[0]), ["com.example.both", "com.example.personal"]);
    assert_eq!(names(&v[1]), ["com.example.both", "com.example.workonly"]);
}

/// Issue 12.12: the helpers that convert strings and arrays leave no Java exception pending when
/// they fail (ART's CheckJNI aborts at the next call made with one). Driven into a genuine
/// `OutOfMemoryError` (a 256 MiB string in a 64 MiB heap), each says what failed, nothing stays
/// pending, and the JVM, under `-Xcheck:jni`, goes on to its next call and scenario.
#[test]
fn a_conversion_that_throws_leaves_no_exception_pending() {
    let run = appwacht_tests::jvm::run_harness_with(
        appwacht_tests::jvm::library(),
        &["-Xcheck:jni", "-Xmx64m"],
        34,
        &inputs(),
        &["error-paths", "init"],
    );
    let out = run.result("error-paths");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    // jni 0.22 catches the OutOfMemoryError inside `NewStringUTF` and reports the failed call;
    // either way the helper fails with an error naming the call, and nothing is left pending.
    for (line, what) in [(lines[0], "NewStringUTF: "), (lines[2], "String[]: ")] {
        assert!(
            line.starts_with(what) && line.contains("NewStringUTF"),
            "{out}"
        );
        assert!(!line.contains("no error"), "{out}");
    }
    assert_eq!(
        (lines[1], lines[3]),
        ("pending: false", "pending: false"),
        "{out}"
    );
    assert!(run.result("init").contains("\"sdk\""), "the JVM went on");
}

/// Issue 11.1: the shipped library has one API. Built as a phone build is (no `test-hooks`), it
/// exports `JNI_OnLoad`, `NativeBridge.init` and the typed API's UniFFI symbols, and none of the
/// reading hooks the harness calls.
#[test]
fn the_shipped_library_exports_no_test_entry_point() {
    // What a library exports is fixed by its features and `cfg`s, not by the optimisation
    // profile, so the shipped feature set is built with the test build's dependencies (one crate
    // compiled again, not the workspace under LTO). The release profile itself is what
    // `android/build-native.sh` builds; its size is in docs/BENCHMARKS.md.
    let lib = appwacht_tests::jvm::shipped_library().join("libappwacht.so");
    let nm = std::process::Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(&lib)
        .output()
        .expect("nm (binutils)");
    let symbols = String::from_utf8_lossy(&nm.stdout);
    let java: Vec<&str> = symbols
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .filter(|s| s.starts_with("Java_") || *s == "JNI_OnLoad")
        .collect();
    assert_eq!(
        java,
        ["JNI_OnLoad", "Java_nl_appwacht_agent_NativeBridge_init"],
        "{symbols}"
    );
    assert!(
        symbols.contains("uniffi_appwacht_ffi_fn_"),
        "the typed API is exported"
    );
    // The size of the library the app ships (docs/BENCHMARKS.md), for the record; not asserted.
    let size = std::fs::metadata(&lib).unwrap().len();
    println!("release libappwacht.so: {size} bytes");
}
