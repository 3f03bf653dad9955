//! The engine beyond the documented tables: the never-block set, explain, determinism, real
//! publisher certificates.

use agent_core::{CertDigest, Engine, Enrolment, MatchStatus, Outcome, PLATFORM_PACKAGES};
use appwacht_tests::*;

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

#[test]
fn no_policy_can_block_the_never_block_set() {
    let engine = Engine::new(policy(DENY_EVERYTHING_WE_CAN));
    let with_emm = Enrolment {
        emm_package: Some("com.airwatch.androidagent".into()),
        ..enrolment(&[])
    };
    let scope = engine.scope(&with_emm);
    let mut names: Vec<&str> = PLATFORM_PACKAGES.to_vec();
    names.extend(["nl.appwacht.agent", "com.airwatch.androidagent"]);
    for name in names {
        for pkg in [app(name), system_app(name)] {
            let d = engine.decide(&pkg, &scope, now());
            assert_eq!(
                d.outcome,
                Outcome::Protected,
                "{name} was not protected: {d:?}"
            );
        }
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
    let dir = shared_reference().join("seed-certs");
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
