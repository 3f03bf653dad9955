//! The engine beyond the documented tables: the never-block set, explain, determinism, real
//! publisher certificates.

use agent_core::{CertDigest, Engine, Enrolment, MatchStatus, Outcome, PLATFORM_PACKAGES};
use appwacht_tests::*;

const TIKTOK_ONLY: &str = "[[rules]]\nid = \"tiktok\"\neffect = \"deny\"\naction = \"suspend\"\nmatch = { packages = [\"com.zhiliaoapp.musically\"] }\n";

const DENY_EVERYTHING_WE_CAN: &str = r#"
[default]
effect = "deny"
action = "uninstall"

[[rules]]
id = "all-android"
effect = "deny"
action = "uninstall"
match = { package_prefixes = ["com.", "android", "nl.", "org."] }

[[rules]]
id = "by-key"
effect = "deny"
action = "suspend"
match = { signers = ["0000000000000000000000000000000000000000000000000000000000000000"] }

[[rules]]
id = "system"
effect = "deny"
action = "hide"
match = { app = "system" }
"#;

/// The agent's release certificate in these tests.
fn agent_cert() -> CertDigest {
    digest("a9")
}

fn the_agent() -> agent_core::Package {
    let mut a = app("nl.appwacht.agent");
    a.signers = vec![agent_cert()];
    a
}

#[test]
fn no_policy_can_block_the_never_block_set() {
    let engine = Engine::new(policy(DENY_EVERYTHING_WE_CAN));
    let with_emm = Enrolment {
        emm_packages: vec!["com.airwatch.androidagent".into()],
        agent_certificates: vec![agent_cert()],
        ..enrolment(&[])
    };
    let scope = engine.scope(&with_emm);
    for name in PLATFORM_PACKAGES {
        let d = engine.decide(&system_app(name), &scope, now());
        assert_eq!(
            d.outcome,
            Outcome::Protected,
            "{name} was not protected: {d:?}"
        );
    }
    for pkg in [the_agent(), app("com.airwatch.androidagent")] {
        let d = engine.decide(&pkg, &scope, now());
        assert_eq!(d.outcome, Outcome::Protected, "{d:?}");
    }
    // Everything else is fair game.
    assert_eq!(
        engine
            .decide(&app("com.example.notes"), &scope, now())
            .outcome,
        Outcome::Denied
    );
    // Without the EMM configured, its package is an ordinary app.
    let plain = engine.scope(&enrolment(&[]));
    assert_eq!(
        engine
            .decide(&app("com.airwatch.androidagent"), &plain, now())
            .outcome,
        Outcome::Denied
    );
}

/// Issue 10.3: a side-loaded user app named after a platform package this phone does not have.
/// Before, the name alone exempted it from every rule and from the allow-list.
#[test]
fn a_user_app_with_a_platform_name_is_judged_and_reported_as_a_look_alike() {
    // Under an allow-list it is denied like any app not on the list, and the reason says why.
    let allow_list = Engine::new(policy(
        "[default]\neffect = \"deny\"\naction = \"suspend\"\n",
    ));
    let scope = allow_list.scope(&enrolment(&[]));
    for name in [
        "com.miui.home",
        "com.android.launcher3",
        "com.android.vending",
    ] {
        let d = allow_list.decide(&app(name), &scope, now());
        assert_eq!(d.outcome, Outcome::Denied, "{name}: {d:?}");
        assert!(
            d.reason.contains("look-alike") || d.reason.contains("name of a platform package"),
            "{d:?}"
        );
        // The real, pre-installed one stays protected.
        assert_eq!(
            allow_list.decide(&system_app(name), &scope, now()).outcome,
            Outcome::Protected
        );
    }
    // Under a deny-list that says nothing about it, it is a finding of its own: reported, not blocked.
    let deny_list = Engine::new(policy(TIKTOK_ONLY));
    let scope = deny_list.scope(&enrolment(&[]));
    let d = deny_list.decide(&app("com.miui.home"), &scope, now());
    assert_eq!(d.outcome, Outcome::Denied, "{d:?}");
    assert_eq!(d.rule.as_deref(), Some("look-alike"));
    assert_eq!(d.action, Some(agent_core::Action::Report));
    assert!(d.reason.contains("does not have pre-installed"), "{d:?}");
}

/// Issue 10.3: the agent is the agent by its certificate, and the EMM by its certificate when the
/// configuration names it.
#[test]
fn the_agents_and_the_emms_names_protect_only_their_certificates() {
    let engine = Engine::new(policy(DENY_EVERYTHING_WE_CAN));
    let scope = engine.scope(&Enrolment {
        emm_packages: vec!["com.airwatch.androidagent".into()],
        emm_certificates: vec![digest("e1")],
        agent_certificates: vec![agent_cert()],
        ..enrolment(&[])
    });
    let impostor = app("nl.appwacht.agent");
    let d = engine.decide(&impostor, &scope, now());
    assert_eq!(d.outcome, Outcome::Denied, "{d:?}");
    assert!(d.reason.contains("not its certificate"), "{d:?}");
    let mut fake_emm = app("com.airwatch.androidagent");
    fake_emm.signers = vec![digest("66")];
    assert_eq!(
        engine.decide(&fake_emm, &scope, now()).outcome,
        Outcome::Denied
    );
    let mut real_emm = app("com.airwatch.androidagent");
    real_emm.signers = vec![digest("e1")];
    assert_eq!(
        engine.decide(&real_emm, &scope, now()).outcome,
        Outcome::Protected
    );
}

/// Issue 10.4: the phone's own essentials (its default launcher, dialer, SMS app, keyboard and
/// device admins) are protected when pre-installed, and not when a user app holds the role: a
/// keyboard or a device admin is exactly what spyware makes itself.
#[test]
fn the_devices_own_essentials_are_protected_only_when_pre_installed() {
    let engine = Engine::new(policy(DENY_EVERYTHING_WE_CAN));
    let scope = engine.scope(&Enrolment {
        device_essentials: vec!["com.vendor.launcher".into(), "com.baidu.input".into()],
        ..enrolment(&[])
    });
    assert_eq!(
        engine
            .decide(&system_app("com.vendor.launcher"), &scope, now())
            .outcome,
        Outcome::Protected
    );
    assert_eq!(
        engine
            .decide(&app("com.baidu.input"), &scope, now())
            .outcome,
        Outcome::Denied
    );
}

/// Issue 10.4: what a phone needs to make and receive calls and emergency alerts is in the list.
#[test]
fn the_built_in_list_covers_calls_alerts_and_vendor_launchers() {
    for name in [
        "com.android.incallui",
        "com.samsung.android.incallui",
        "com.android.contacts",
        "com.sec.imsservice",
        "com.shannon.imsservice",
        "com.qualcomm.qti.ims",
        "com.android.cellbroadcastservice",
        "com.google.android.cellbroadcastservice",
        "com.motorola.launcher3",
        "net.oneplus.launcher",
        "com.oppo.launcher",
        "com.huawei.android.launcher",
        "com.sonymobile.home",
        "com.mi.android.globallauncher",
        "com.android.documentsui",
        "com.android.captiveportallogin",
        "com.android.vpndialogs",
        "com.android.intentresolver",
        "com.samsung.android.knox.containercore",
        "com.miui.securitycenter",
    ] {
        assert!(PLATFORM_PACKAGES.contains(&name), "{name} is missing");
    }
}

#[test]
fn explain_shows_every_matching_rule_even_for_protected_packages() {
    let engine = Engine::new(policy(DENY_EVERYTHING_WE_CAN));
    let scope = engine.scope(&enrolment(&[]));
    let x = engine.explain(&system_app("com.android.systemui"), &scope, now());
    assert_eq!(x.decision.outcome, Outcome::Protected);
    let rules: Vec<&str> = x.matches.iter().map(|m| m.rule.as_str()).collect();
    assert_eq!(rules, ["all-android", "by-key", "system"]);
    assert!(x.precedence.starts_with("1."), "{}", x.precedence);
}

#[test]
fn explain_names_out_of_scope_excepted_and_expired() {
    let engine = Engine::new(policy(
        r#"
[[tiers]]
name = "board"
groups = ["mayor"]

[[rules]]
id = "board-only"
effect = "deny"
action = "suspend"
tiers = ["board"]
match = { packages = ["com.tencent.mm"] }

[[rules]]
id = "everyone"
effect = "deny"
action = "warn"
match = { packages = ["com.tencent.mm"] }

[[rules]]
id = "everyone-too"
effect = "deny"
action = "report"
match = { package_prefixes = ["com.tencent."] }

[[exceptions]]
rule = "everyone"
groups = ["inspection"]
reason = "supervision"
expires = 2030-01-01

[[exceptions]]
rule = "everyone-too"
groups = ["inspection"]
reason = "old case"
expires = 2020-01-01
"#,
    ));
    let scope = engine.scope(&enrolment(&["inspection"]));
    let x = engine.explain(&app("com.tencent.mm"), &scope, now());
    assert_eq!(x.decision.outcome, Outcome::Denied);
    assert_eq!(
        x.decision.rule.as_deref(),
        Some("everyone-too"),
        "the expired exception no longer lifts it"
    );
    let status: Vec<(&str, &MatchStatus)> = x
        .matches
        .iter()
        .map(|m| (m.rule.as_str(), &m.status))
        .collect();
    assert!(
        matches!(status[0], ("board-only", MatchStatus::OutOfScope { .. })),
        "{status:?}"
    );
    assert!(
        matches!(status[1], ("everyone", MatchStatus::Excepted { .. })),
        "{status:?}"
    );
    assert!(
        matches!(status[2], ("everyone-too", MatchStatus::Applies)),
        "{status:?}"
    );
    assert_eq!(x.expired_exceptions.len(), 1);
    assert_eq!(x.expired_exceptions[0].reason, "old case");
}

#[test]
fn evaluation_is_deterministic_whatever_the_order_of_the_inventory() {
    let engine = Engine::new(policy(DENY_EVERYTHING_WE_CAN));
    let scope = engine.scope(&enrolment(&[]));
    let mut packages: Vec<_> = (0..50)
        .map(|i| app(&format!("com.example.app{i}")))
        .collect();
    let a = engine.evaluate(&packages, &scope, now());
    packages.reverse();
    let b = engine.evaluate(&packages, &scope, now());
    assert_eq!(a, b);
    assert!(a.windows(2).all(|w| w[0].package < w[1].package));
}

#[test]
fn all_criteria_of_a_rule_must_hold() {
    let engine = Engine::new(policy(
        r#"
[[rules]]
id = "old-bytedance-from-play"
effect = "deny"
action = "suspend"
match = { packages = ["com.lemon.lv"], signers = ["bdbdbdbdbdbdbdbdbdbdbdbdbdbdbdbdbdbdbdbdbdbdbdbdbdbdbdbdbdbdbdbd"], installed_by = ["com.android.vending"], max_version_code = 10 }
"#,
    ));
    let scope = engine.scope(&enrolment(&[]));
    let hit = agent_core::Package {
        signers: vec![digest("bd")],
        version_code: 10,
        ..app("com.lemon.lv")
    };
    assert_eq!(engine.decide(&hit, &scope, now()).outcome, Outcome::Denied);
    for miss in [
        agent_core::Package {
            signers: vec![digest("01")],
            ..hit.clone()
        },
        agent_core::Package {
            version_code: 11,
            ..hit.clone()
        },
        agent_core::Package {
            installer: None,
            ..hit.clone()
        },
        agent_core::Package {
            name: "com.lemon.lvx".into(),
            ..hit.clone()
        },
    ] {
        assert_eq!(
            engine.decide(&miss, &scope, now()).outcome,
            Outcome::Allowed,
            "{miss:?}"
        );
    }
}

/// The seed list's real publisher certificates: their SHA-256 is what the policy matches, and the
/// country comes from the policy even though two subjects say `C=86`.
#[test]
fn real_publisher_certificates_match_by_digest_not_by_subject_country() {
    let dir = test_data().join("seed-certs");
    let engine = Engine::new(policy(
        r#"
[publishers.bytedance]
name = "ByteDance"
country = "CN"
certificates = ["9041803e91bcb814b4b4399fb5c85a91640b755e5e8ba76813814bf4cf2ab5ba", "d7811ec4166fea6cc720ba66699dc84b584ac9e6986613a76d4e43d8cbe32b27"]

[publishers.tencent]
name = "Tencent"
country = "CN"
certificates = ["0fe4ff85c215918396dadc7cd8ce6963339af33d37751a56e54c7206b63a3c7c"]

[[rules]]
id = "cn"
effect = "deny"
action = "suspend"
match = { countries = ["CN"] }
"#,
    ));
    let scope = engine.scope(&enrolment(&[]));
    for file in [
        "com.zhiliaoapp.musically.der",
        "com.ss.android.ugc.trill.der",
        "com.tencent.mm.der",
    ] {
        let der = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let signer = CertDigest::of_der(&der);
        // A clone under an unrelated name, signed with the real certificate.
        let clone = agent_core::Package {
            signers: vec![signer],
            ..app("com.innocent.looking.clone")
        };
        let d = engine.decide(&clone, &scope, now());
        assert_eq!(d.outcome, Outcome::Denied, "{file}: {d:?}");
        assert!(d.reason.contains(&signer.to_string()), "{}", d.reason);
    }
}
