//! Issue 10.12: no input can panic. Every parser of outside input returns a value or an error for
//! arbitrary input (property tests), and the inputs that did panic are pinned as named cases.

use agent_core::policy::authoring;
use agent_core::trust::DeviceConfig;
use agent_core::trust::Envelope;
use agent_core::trust::{PrivateKey, PublicKey};
use agent_core::trust::{verify_initial, verify_successor};
use agent_core::{CertDigest, Inventory, Policy, Span, Timestamp};
use proptest::prelude::*;

/// Text that looks like what each parser expects, salted with multi-byte characters where byte
/// offsets would fall inside them.
fn near_miss() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,80}",
        "[0-9a-fA-F:é€😀]{60,70}",
        "-----BEGIN [A-Z ]{0,12}-----[A-Za-z0-9+/=\\né]{0,60}(-----END [A-Z ]{0,12}-----)?",
        "\\{\"[a-z_]{1,12}\": ?(\"[^\"]{0,20}\"|[0-9-]{1,22}|\\[\\]|null|true)\\}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn text_parsers_return_a_value_or_an_error(text in near_miss()) {
        let _ = CertDigest::parse(&text);
        let _ = Timestamp::parse(&text);
        let _ = Span::parse(&text);
        let _ = PublicKey::parse(&text);
        let _ = PrivateKey::parse(&text);
        let _ = authoring::parse("fuzz.toml", &text);
        let _ = authoring::compile("fuzz.toml", &text, Timestamp::from_unix(0));
        let _ = agent_core::policy::pem_der(&text);
    }

    #[test]
    fn byte_parsers_return_a_value_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = Policy::from_json(&bytes);
        let _ = Inventory::from_json("fuzz.json", &bytes);
        let _ = DeviceConfig::from_json("fuzz.json", &bytes);
        let _ = Envelope::parse(&bytes);
        let _ = verify_initial(&bytes, "Gemeente Test");
        let _ = PublicKey::from_spki_der(&bytes);
        // What a helpdesk feeds the audit: any bytes, as any of the names it recognises.
        if let Ok(text) = agent_core::audit::input::decode("fuzz", &bytes) {
            for name in ["packages.json", "dumpsys.txt"] {
                let mut dump = agent_core::audit::AdbDump::default();
                let _ = agent_core::audit::input::read_into("fuzz", name, &text, &mut dump, &mut |_| {});
            }
        }
    }

    /// JSON documents of the right shape with hostile values: digests of the wrong alphabet, times
    /// at the ends of the range, huge numbers.
    #[test]
    fn inventories_with_hostile_values_return_a_value_or_an_error(
        digest in "[0-9a-fé]{62,66}",
        time in prop_oneof![Just(i64::MIN), Just(i64::MAX), any::<i64>()],
        version in any::<i64>(),
    ) {
        let json = format!(
            r#"{{"device": {{"id": "x"}}, "packages": [{{"name": "a.b", "version_code": {version},
               "signers": ["{digest}"], "first_install": {time}, "last_update": {time}}}]}}"#
        );
        let _ = Inventory::from_json("fuzz.json", json.as_bytes());
    }
}

/// The case the issue names: 64 bytes of digest holding `é`. Before, `CertDigest::parse` sliced by
/// byte index and panicked (exit 101 from the CLI; a poisoned store lock through the typed API).
#[test]
fn a_digest_holding_a_multi_byte_character_is_an_error_not_a_panic() {
    let text = format!("{}é{}", "a".repeat(31), "b".repeat(31));
    assert_eq!(text.len(), 64);
    let err = CertDigest::parse(&text).unwrap_err();
    assert!(err.contains("not hex"), "{err}");
    let json = format!(
        r#"{{"device": {{"id": "x"}}, "packages": [{{"name": "a.b", "version_code": 1, "signers": ["{text}"], "first_install": 0, "last_update": 0}}]}}"#
    );
    let err = Inventory::from_json("phone.json", json.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("phone.json") && err.contains("not hex"),
        "{err}"
    );
}

/// The same through the tool: one sentence and exit status 1 or 2, never 101 and a backtrace.
#[test]
fn the_tool_answers_a_bad_digest_in_an_inventory_with_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{}é{}", "a".repeat(31), "b".repeat(31));
    let inventory = dir.path().join("phone.json");
    std::fs::write(
        &inventory,
        format!(
            r#"{{"device": {{"id": "x"}}, "packages": [{{"name": "a.b", "version_code": 1, "signers": ["{text}"], "first_install": 0, "last_update": 0}}]}}"#
        ),
    )
    .unwrap();
    let policy = appwacht_tests::root().join("examples/policy.toml");
    let db = dir.path().join("c.db");
    let run = appwacht_tests::appwacht(&[
        "scan",
        "--policy",
        policy.to_str().unwrap(),
        "--inventory",
        inventory.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(
        run.code == 1 || run.code == 2,
        "exit {}: {}",
        run.code,
        run.err
    );
    assert!(!run.err.contains("panicked"), "{}", run.err);
    assert!(run.err.contains("not hex"), "{}", run.err);
}

/// A root chain from arbitrary bytes never panics either (the successor path parses too).
#[test]
fn a_successor_root_of_garbage_is_an_error() {
    let k = PrivateKey::generate(agent_core::trust::KeyType::Ed25519).unwrap();
    let r = appwacht_tests::org::root(1, &[&k], 1, &[&k], 1);
    for garbage in [&b""[..], b"{}", b"{\"payload\": 7}", "\u{e9}".as_bytes()] {
        assert!(verify_successor(&r, garbage).is_err());
    }
}
