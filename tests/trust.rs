//! Signed policies: the TUF conformance scenarios of `policy-trust.md`, each a named test, driven
//! through the real `sync` with mirrors in memory; the RFC 8032 and DSSE spec vectors.

use std::rc::Rc;

use agent_core::trust::{Envelope, POLICY_TYPE, ROOT_TYPE, pae};
use agent_core::trust::{KeyType, PrivateKey, PublicKey};
use agent_core::trust::{PolicyChange, SyncReport, next_sync, sync};
use agent_core::{Error, SimulatedDevice, Store, Timestamp};
use appwacht_tests::org::*;
use appwacht_tests::{earlier, later, now};

const M1: &str = "https://m1.example";
const M2: &str = "https://m2.example";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A device and one mirror, with root v1 (1 root key, 1 policy key) and policy v1 published.
struct World {
    root_keys: Rc<Vec<PrivateKey>>,
    policy_keys: Rc<Vec<PrivateKey>>,
    root_v1: Vec<u8>,
    mirrors: Mirrors,
    store: Store,
}

impl World {
    fn new() -> World {
        World::with(KeyType::Ed25519, KeyType::Ed25519)
    }

    fn with(root_type: KeyType, policy_type: KeyType) -> World {
        let root_keys = keys(root_type, 1);
        let policy_keys = keys(policy_type, 1);
        let root_v1 = sign_root(
            &root(1, &[&root_keys[0]], 1, &[&policy_keys[0]], 1),
            &[&root_keys[0]],
        );
        let mut mirrors = Mirrors::default();
        mirrors.publish(
            M1,
            &[(1, root_v1.clone())],
            Some(sign_policy(&policy(1), &[&policy_keys[0]])),
        );
        World {
            root_keys: Rc::new(root_keys),
            policy_keys: Rc::new(policy_keys),
            root_v1,
            mirrors,
            store: Store::in_memory().unwrap(),
        }
    }

    fn sync_at(&mut self, at: Timestamp) -> Result<SyncReport, Error> {
        let config = config(&self.root_v1, &[M1, M2]);
        sync(&mut self.store, &config, &mut self.mirrors, at)
    }

    fn sync(&mut self) -> Result<SyncReport, Error> {
        self.sync_at(now())
    }

    /// A full scan of a phone with TikTok at `at` (what the periodic job does after its sync).
    fn scan_at(&mut self, at: Timestamp) -> agent_core::ScanSummary {
        let mut phone = SimulatedDevice::new(appwacht_tests::inventory(
            &["inspection"],
            vec![appwacht_tests::app("com.zhiliaoapp.musically")],
        ));
        agent_core::scan(
            &mut self.store,
            &mut phone,
            &appwacht_tests::enrolment(&["inspection"]),
            agent_core::Scope::Full,
            "full",
            at,
        )
        .unwrap()
    }

    fn publish_policy(&mut self, p: &agent_core::Policy, by: &[&PrivateKey]) {
        self.mirrors.put(M1, "policy.json", sign_policy(p, by));
    }

    /// Publishes `p` signed by the current policy key.
    fn publish_signed(&mut self, p: &agent_core::Policy) {
        let keys = Rc::clone(&self.policy_keys);
        self.publish_policy(p, &[&keys[0]]);
    }

    fn active_version(&self) -> Option<u64> {
        self.store
            .active_policy()
            .unwrap()
            .map(|a| a.policy.version)
    }

    /// Syncs, expects a refusal mentioning `needle`, and checks nothing stored changed.
    fn refused(&mut self, needle: &str) {
        self.refused_at(now(), needle);
    }

    fn refused_at(&mut self, at: Timestamp, needle: &str) {
        let before = held(&self.store);
        let err = self
            .sync_at(at)
            .expect_err("the update must be refused")
            .to_string();
        assert!(err.contains(needle), "expected `{needle}` in: {err}");
        let after = held(&self.store);
        assert_eq!(
            (&after.active, after.policy_floor),
            (&before.active, before.policy_floor),
            "a refused update changed the policy or its floor"
        );
        // Roots verified before the refusal may be kept (a long chain continues from them); the
        // trusted root never goes back.
        assert!(after.root >= before.root, "{after:?} after {before:?}");
        let recorded = self
            .store
            .state("last_sync_error")
            .unwrap()
            .unwrap_or_default();
        assert!(
            recorded.contains(needle),
            "the failure is recorded for status: {recorded}"
        );
    }
}

// ---- Vectors ----

#[test]
fn rfc8032_section_7_1_vectors_verify_and_sign_identically() {
    let vectors = [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        ),
        (
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
        ),
    ];
    for (secret, public, message, signature) in vectors {
        let key = PublicKey::from_raw(KeyType::Ed25519, &hex(public)).unwrap();
        assert!(
            key.verify(&hex(message), &hex(signature)),
            "vector for {public}"
        );
        let mut tampered = hex(message);
        tampered.push(0);
        assert!(!key.verify(&tampered, &hex(signature)));
        // PKCS#8 v1 of the seed, as other tools write it: signing reproduces the vector.
        let pkcs8 = [hex("302e020100300506032b657004220420"), hex(secret)].concat();
        let private = PrivateKey::from_pkcs8_der(&pkcs8).unwrap();
        assert_eq!(private.public(), &key);
        assert_eq!(private.sign(&hex(message)).unwrap(), hex(signature));
    }
}

#[test]
fn the_dsse_spec_example_envelope_verifies() {
    assert_eq!(
        pae("http://example.com/HelloWorld", b"hello world"),
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    );
    // The spec gives the P-256 public point in decimal.
    fn be32(decimal: &str) -> Vec<u8> {
        let mut out = vec![0u8; 32];
        for d in decimal.bytes() {
            let mut carry = (d - b'0') as u32;
            for b in out.iter_mut().rev() {
                let v = *b as u32 * 10 + carry;
                *b = v as u8;
                carry = v >> 8;
            }
        }
        out
    }
    let x = be32("46950820868899156662930047687818585632848591499744589407958293238635476079160");
    let y = be32("5640078356564379163099075877009565129882514886557779369047442380624545832820");
    let key = PublicKey::from_raw(KeyType::EcdsaP256, &[vec![4], x, y].concat()).unwrap();
    let envelope = br#"{"payload": "aGVsbG8gd29ybGQ=",
 "payloadType": "http://example.com/HelloWorld",
 "signatures": [{"sig": "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]}"#;
    let e = Envelope::parse(envelope).unwrap();
    let v = e
        .verify(
            "http://example.com/HelloWorld",
            std::slice::from_ref(&key),
            1,
            "example",
        )
        .unwrap();
    assert_eq!(v.payload, b"hello world");
    assert!(
        e.verify("http://example.com/Other", &[key], 1, "example")
            .is_err(),
        "the type is bound"
    );
}

#[test]
fn ecdsa_der_and_raw_signatures_and_every_base64_spelling_are_accepted() {
    let k = &keys(KeyType::EcdsaP256, 1)[0];
    let mut e = Envelope::new(POLICY_TYPE, b"{}");
    e.sign(k).unwrap();
    assert!(
        e.verify(POLICY_TYPE, &[k.public().clone()], 1, "policy")
            .is_ok(),
        "DER, as signed here"
    );
    // The same document in URL-safe, unpadded base64 with an unknown field: still one envelope.
    use base64::Engine as _;
    let sig = base64::engine::general_purpose::STANDARD
        .decode(&e.signatures[0].sig)
        .unwrap();
    let json = format!(
        r#"{{"payload":"{}","payloadType":"{POLICY_TYPE}","signatures":[{{"sig":"{}"}}],"extra":1}}"#,
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b"{}"),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&sig)
    );
    assert!(
        Envelope::parse(json.as_bytes())
            .unwrap()
            .verify(POLICY_TYPE, &[k.public().clone()], 1, "policy")
            .is_ok()
    );
}

// ---- Unsigned and wrongly signed ----

#[test]
fn accepts_a_policy_signed_with_each_key_type() {
    for (r, p) in [
        (KeyType::Ed25519, KeyType::Ed25519),
        (KeyType::EcdsaP256, KeyType::EcdsaP256),
        (KeyType::Ed25519, KeyType::EcdsaP256),
    ] {
        let mut w = World::with(r, p);
        let report = w.sync().unwrap();
        assert_eq!(
            report.policy,
            PolicyChange::Updated { from: None, to: 1 },
            "{r} root, {p} policy"
        );
    }
}

#[test]
fn rejects_an_unsigned_policy() {
    let mut w = World::new();
    w.publish_policy(&policy(1), &[]);
    w.refused("0 of the 1 needed");
    assert_eq!(w.active_version(), None);
}

#[test]
fn rejects_a_policy_signed_by_an_unknown_key() {
    let mut w = World::new();
    let stranger = keys(KeyType::Ed25519, 1);
    w.publish_policy(&policy(1), &[&stranger[0]]);
    w.refused("not enough valid signatures from the policy keys");
}

#[test]
fn rejects_a_policy_whose_payload_was_changed_after_signing() {
    let mut w = World::new();
    let pk = Rc::clone(&w.policy_keys);
    let signed = sign_policy(&policy(1), &[&pk[0]]);
    let mut e = Envelope::parse(&signed).unwrap();
    let mut other = policy(1);
    other.rules.clear();
    e.payload = Envelope::new(POLICY_TYPE, &other.to_json()).payload;
    w.mirrors.put(M1, "policy.json", e.to_json());
    w.refused("0 of the 1 needed");
}

#[test]
fn rejects_a_policy_signed_by_a_root_key_the_wrong_role() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let root_key = PrivateKey::parse(&rk[0].to_pem()).unwrap();
    w.publish_policy(&policy(1), &[&root_key]);
    w.refused("not enough valid signatures from the policy keys");
}

#[test]
fn rejects_a_root_served_as_the_policy() {
    let mut w = World::new();
    w.mirrors.put(M1, "policy.json", w.root_v1.clone());
    w.refused(&format!(
        "expected payload type {POLICY_TYPE}, found {ROOT_TYPE}"
    ));
}

#[test]
fn rejects_an_unsigned_initial_root() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let pk = Rc::clone(&w.policy_keys);
    w.root_v1 = sign_root(&root(1, &[&rk[0]], 1, &[&pk[0]], 1), &[]);
    w.refused("the pinned root: not enough valid signatures from the root (version 1) keys");
    assert!(w.store.trusted_root().unwrap().is_none());
}

#[test]
fn rejects_an_invalid_initial_root() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let pk = Rc::clone(&w.policy_keys);
    // A threshold its keys cannot meet.
    w.root_v1 = sign_root(&root(1, &[&rk[0]], 2, &[&pk[0]], 1), &[&rk[0]]);
    w.refused("the root threshold 2 cannot be met by its 1 distinct key");
    // A root of another organisation.
    let mut other = root(1, &[&rk[0]], 1, &[&pk[0]], 1);
    other.organisation = "Someone Else".into();
    w.root_v1 = sign_root(&other, &[&rk[0]]);
    w.refused("is for organisation `Someone Else`");
}

// ---- Root rotation ----

/// Publishes successive roots and syncs a day later (when the device checks the root chain even
/// if the policy has not changed); returns the trusted root version afterwards.
fn rotate_through(w: &mut World, roots: &[(u64, Vec<u8>)]) -> Result<u64, Error> {
    w.mirrors.publish(M1, roots, None);
    w.sync_at(later("25h")).map(|r| r.root_version)
}

#[test]
fn rotates_a_one_of_one_root_key() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let pk = Rc::clone(&w.policy_keys);
    w.sync().unwrap();
    let new = keys(KeyType::Ed25519, 1);
    let v2 = sign_root(&root(2, &[&new[0]], 1, &[&pk[0]], 1), &[&rk[0], &new[0]]);
    assert_eq!(rotate_through(&mut w, &[(2, v2)]).unwrap(), 2);
    // From now on only the new key can sign roots.
    let v3_old = sign_root(&root(3, &[&new[0]], 1, &[&pk[0]], 1), &[&rk[0]]);
    w.mirrors
        .publish(M1, &[(3, v3_old)], Some(sign_policy(&policy(2), &[&pk[0]])));
    w.refused("not enough valid signatures from the root (version 2) keys: 0 of the 1 needed");
}

#[test]
fn three_of_five_root_keys_in_different_combinations() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let k = keys(KeyType::Ed25519, 5);
    let r: Vec<&PrivateKey> = k.iter().collect();
    let pk = Rc::clone(&w.policy_keys);
    let p = &pk[0];
    // v2 moves to 3-of-5, signed by the old key and three of the new ones.
    let v2 = sign_root(&root(2, &r, 3, &[p], 1), &[&rk[0], r[0], r[1], r[2]]);
    let v3 = sign_root(&root(3, &r, 3, &[p], 1), &[r[2], r[3], r[4]]);
    let v4 = sign_root(&root(4, &r, 3, &[p], 1), &[r[0], r[2], r[4]]);
    assert_eq!(
        rotate_through(&mut w, &[(2, v2), (3, v3), (4, v4)]).unwrap(),
        4
    );
    let v5 = sign_root(&root(5, &r, 3, &[p], 1), &[r[1], r[3]]);
    w.mirrors
        .publish(M1, &[(5, v5)], Some(sign_policy(&policy(2), &[p])));
    w.refused("2 of the 3 needed");
}

#[test]
fn rotates_one_key_of_three() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let k = keys(KeyType::Ed25519, 4);
    let pk = Rc::clone(&w.policy_keys);
    let p = &pk[0];
    let v2 = sign_root(
        &root(2, &[&k[0], &k[1], &k[2]], 2, &[p], 1),
        &[&rk[0], &k[0], &k[1]],
    );
    // k[2] is replaced by k[3]: two of the old three and two of the new three sign.
    let v3 = sign_root(
        &root(3, &[&k[0], &k[1], &k[3]], 2, &[p], 1),
        &[&k[0], &k[1]],
    );
    assert_eq!(rotate_through(&mut w, &[(2, v2), (3, v3)]).unwrap(), 3);
}

#[test]
fn rotates_all_keys_through_an_intermediate_root() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let k = keys(KeyType::Ed25519, 4);
    let pk = Rc::clone(&w.policy_keys);
    let p = &pk[0];
    let v2 = sign_root(
        &root(2, &[&k[0], &k[1]], 2, &[p], 1),
        &[&rk[0], &k[0], &k[1]],
    );
    assert_eq!(rotate_through(&mut w, &[(2, v2.clone())]).unwrap(), 2);
    // Replacing both keys at once cannot meet the old threshold without them...
    let direct = sign_root(&root(3, &[&k[2], &k[3]], 2, &[p], 1), &[&k[2], &k[3]]);
    w.mirrors
        .publish(M1, &[(3, direct)], Some(sign_policy(&policy(2), &[p])));
    w.refused("root (version 2) keys: 0 of the 2 needed");
    // ...so it goes through an intermediate root holding one old and one new key.
    let v3 = sign_root(
        &root(3, &[&k[1], &k[2]], 2, &[p], 1),
        &[&k[0], &k[1], &k[2]],
    );
    let v4 = sign_root(
        &root(4, &[&k[2], &k[3]], 2, &[p], 1),
        &[&k[1], &k[2], &k[3]],
    );
    assert_eq!(rotate_through(&mut w, &[(3, v3), (4, v4)]).unwrap(), 4);
}

#[test]
fn raises_the_threshold_from_one_of_three_to_two_of_three() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let k = keys(KeyType::Ed25519, 3);
    let r: Vec<&PrivateKey> = k.iter().collect();
    let pk = Rc::clone(&w.policy_keys);
    let p = &pk[0];
    let v2 = sign_root(&root(2, &r, 1, &[p], 1), &[&rk[0], r[0]]);
    let v3 = sign_root(&root(3, &r, 2, &[p], 1), &[r[0], r[1]]);
    assert_eq!(rotate_through(&mut w, &[(2, v2), (3, v3)]).unwrap(), 3);
    let v4 = sign_root(&root(4, &r, 2, &[p], 1), &[r[2]]);
    w.mirrors
        .publish(M1, &[(4, v4)], Some(sign_policy(&policy(2), &[p])));
    w.refused("1 of the 2 needed");
}

#[test]
fn lowers_the_threshold_from_two_of_three_to_one_of_three() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let k = keys(KeyType::Ed25519, 3);
    let r: Vec<&PrivateKey> = k.iter().collect();
    let pk = Rc::clone(&w.policy_keys);
    let p = &pk[0];
    let v2 = sign_root(&root(2, &r, 2, &[p], 1), &[&rk[0], r[0], r[1]]);
    let v3 = sign_root(&root(3, &r, 1, &[p], 1), &[r[1], r[2]]);
    let v4 = sign_root(&root(4, &r, 1, &[p], 1), &[r[2]]);
    assert_eq!(
        rotate_through(&mut w, &[(2, v2), (3, v3), (4, v4)]).unwrap(),
        4
    );
}

#[test]
fn rejects_a_rotation_not_signed_by_the_old_keys() {
    let mut w = World::new();
    let pk = Rc::clone(&w.policy_keys);
    let new = keys(KeyType::Ed25519, 1);
    let v2 = sign_root(&root(2, &[&new[0]], 1, &[&pk[0]], 1), &[&new[0]]);
    w.mirrors.publish(M1, &[(2, v2)], None);
    w.refused("root (version 1) keys: 0 of the 1 needed");
}

#[test]
fn rejects_a_rotation_not_signed_by_the_new_keys() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let pk = Rc::clone(&w.policy_keys);
    let new = keys(KeyType::Ed25519, 1);
    let v2 = sign_root(&root(2, &[&new[0]], 1, &[&pk[0]], 1), &[&rk[0]]);
    w.mirrors.publish(M1, &[(2, v2)], None);
    w.refused("root (version 2)");
}

#[test]
fn rejects_a_rotation_below_the_new_threshold() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let pk = Rc::clone(&w.policy_keys);
    let k = keys(KeyType::Ed25519, 3);
    let r: Vec<&PrivateKey> = k.iter().collect();
    let v2 = sign_root(&root(2, &r, 2, &[&pk[0]], 1), &[&rk[0], r[0]]);
    w.mirrors.publish(M1, &[(2, v2)], None);
    w.refused("root (version 2) keys: 1 of the 2 needed");
}

#[test]
fn rejects_a_rotation_below_the_old_threshold() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let k = keys(KeyType::Ed25519, 3);
    let r: Vec<&PrivateKey> = k.iter().collect();
    let pk = Rc::clone(&w.policy_keys);
    let p = &pk[0];
    let v2 = sign_root(&root(2, &r, 2, &[p], 1), &[&rk[0], r[0], r[1]]);
    assert_eq!(rotate_through(&mut w, &[(2, v2)]).unwrap(), 2);
    let new = keys(KeyType::Ed25519, 1);
    let v3 = sign_root(&root(3, &[&new[0]], 1, &[p], 1), &[r[0], &new[0]]);
    w.mirrors
        .publish(M1, &[(3, v3)], Some(sign_policy(&policy(2), &[p])));
    w.refused("root (version 2) keys: 1 of the 2 needed");
}

// ---- Rollback, freeze, fast-forward ----

#[test]
fn rejects_a_policy_rollback_even_after_the_stored_one_expired() {
    let mut w = World::new();
    let pk = Rc::clone(&w.policy_keys);
    let old = sign_policy(&policy(1), &[&pk[0]]);
    w.sync().unwrap();
    w.publish_signed(&policy(2));
    w.sync().unwrap();
    w.mirrors.put(M1, "policy.json", old);
    w.refused("policy version 1 is below the version floor 2");
    // Weeks later the stored policy has expired; the floor still holds.
    let before = held(&w.store);
    let mut replay = policy(1);
    replay.issued_at = Some(later("30d"));
    replay.expires = Some(later("60d"));
    w.publish_signed(&replay);
    let err = w.sync_at(later("30d")).unwrap_err().to_string();
    assert!(err.contains("below the version floor 2"), "{err}");
    assert_eq!(held(&w.store), before);
}

#[test]
fn the_same_version_again_is_a_no_op() {
    let mut w = World::new();
    w.sync().unwrap();
    let before = held(&w.store);
    // The same signed document served again in other bytes (another key id hint, so another
    // entity tag): the same version with the same content.
    let served = w.mirrors.files[M1]["policy.json"].clone();
    let mut envelope = Envelope::parse(&served).unwrap();
    envelope.signatures[0].keyid = "a hint that means nothing".into();
    w.mirrors.put(M1, "policy.json", envelope.to_json());
    assert_eq!(
        w.sync().unwrap().policy,
        PolicyChange::SameVersion { version: 1 }
    );
    assert_eq!(held(&w.store), before);
}

/// Issue 10.8: an administrator re-signs changed rules under the live version number. Before,
/// the device said "nothing to do" and went on enforcing the old rules without a word.
#[test]
fn the_same_version_with_other_rules_is_a_failed_sync_with_its_reason() {
    let mut w = World::new();
    w.sync().unwrap();
    let mut changed = policy(1);
    changed.rules.clear();
    w.publish_signed(&changed);
    w.refused("the policy served as version 1 differs from the active version 1");
    assert_eq!(w.store.sync_failures().unwrap(), 1);
    let report = agent_core::Report::build(&w.store, now()).unwrap();
    assert!(
        report
            .sync
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("needs a new version number")),
        "{:?}",
        report.sync
    );
}

#[test]
fn rejects_a_root_rollback_at_the_next_version_path() {
    let mut w = World::new();
    w.sync().unwrap();
    w.mirrors.put(M1, "root/2.root.json", w.root_v1.clone());
    w.publish_signed(&policy(2));
    w.refused("root version 1 cannot follow the trusted version 1");
}

#[test]
fn rejects_a_non_consecutive_root_version() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let pk = Rc::clone(&w.policy_keys);
    let v3 = sign_root(&root(3, &[&rk[0]], 1, &[&pk[0]], 1), &[&rk[0]]);
    w.mirrors.put(M1, "root/2.root.json", v3);
    w.refused("root version 3 cannot follow the trusted version 1");
}

#[test]
fn rejects_an_expired_new_root() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let pk = Rc::clone(&w.policy_keys);
    let mut v2 = root(2, &[&rk[0]], 1, &[&pk[0]], 1);
    v2.expires = earlier("1d");
    let v2 = sign_root(&v2, &[&rk[0]]);
    w.mirrors.put(M1, "root/2.root.json", v2);
    w.refused("the root expired on");
}

#[test]
fn rejects_an_expired_policy() {
    let mut w = World::new();
    let mut p = policy(1);
    p.issued_at = Some(earlier("20d"));
    p.expires = Some(earlier("1h"));
    w.publish_signed(&p);
    w.refused("the policy expired on");
}

#[test]
fn an_expired_cached_root_accepts_nothing_new_until_a_renewed_root_arrives() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let pk = Rc::clone(&w.policy_keys);
    w.sync().unwrap();
    // A year later the trusted root has expired and a new policy is offered.
    let mut p2 = policy(2);
    p2.issued_at = Some(later("400d"));
    p2.expires = Some(later("414d"));
    w.publish_signed(&p2);
    let err = w.sync_at(later("400d")).unwrap_err().to_string();
    assert!(err.contains("the root expired on"), "{err}");
    assert_eq!(
        w.active_version(),
        Some(1),
        "the last good policy stays in force"
    );
    // The root keys renew the root; the device catches up.
    let mut v2 = root(2, &[&rk[0]], 1, &[&pk[0]], 1);
    v2.expires = later("800d");
    w.mirrors
        .put(M1, "root/2.root.json", sign_root(&v2, &[&rk[0]]));
    assert_eq!(
        w.sync_at(later("400d")).unwrap().policy,
        PolicyChange::Updated {
            from: Some(1),
            to: 2
        }
    );
}

#[test]
fn a_clock_set_back_revives_nothing() {
    let mut w = World::new();
    let mut p = policy(1);
    p.expires = Some(later("10d"));
    w.publish_signed(&p);
    w.sync().unwrap();
    // Day 20: nothing new on the server (304). The policy stays in force but is stale; a 304 never
    // makes it fresh.
    assert_eq!(
        w.sync_at(later("20d")).unwrap().policy,
        PolicyChange::Unchanged
    );
    // The periodic job scans after its sync: the scan's time is what moves the time floor (a
    // clock reading at a sync alone is used for that sync and forgotten).
    w.scan_at(later("20d"));
    let active = w.store.active_policy().unwrap().unwrap();
    assert!(active.policy.expires.unwrap() <= w.store.time_floor().unwrap());
    // Someone sets the clock back to day 5, when the document was still valid, and the device
    // fetches it again: it is the active document, so nothing is accepted, and it is still
    // reported stale, because staleness is judged by the time floor too.
    w.mirrors.ignore_etags = true;
    assert_eq!(
        w.sync_at(later("5d")).unwrap().policy,
        PolicyChange::SameVersion { version: 1 }
    );
    let report = agent_core::Report::build(&w.store, later("5d")).unwrap();
    assert!(
        report.policy.as_ref().unwrap().expired,
        "a clock set back must not make it fresh"
    );
    // A document that is not the active one is judged against the floor and refused as expired.
    let mut other = policy(2);
    other.expires = Some(later("10d"));
    w.publish_signed(&other);
    let err = w.sync_at(later("5d")).unwrap_err().to_string();
    assert!(
        err.contains("the policy expired"),
        "a clock set back must not revive it: {err}"
    );
    // The scan moved the floor as far as the signed times vouch for (the policy's expiry), not to
    // whatever the clock said.
    assert!(w.store.time_floor().unwrap() >= later("10d"));
}

#[test]
fn fast_forward_recovery_through_a_root_rotation() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let pk = Rc::clone(&w.policy_keys);
    w.sync().unwrap();
    // A stolen policy key signs version 2^63 and the device accepts it: the signature is valid.
    let stolen = PrivateKey::parse(&pk[0].to_pem()).unwrap();
    w.publish_policy(&policy(1 << 63), &[&stolen]);
    w.sync().unwrap();
    assert_eq!(w.store.policy_floor().unwrap(), 1 << 63);
    // Recovery: the root keys replace the policy key and reset the floor to 10.
    let fresh = keys(KeyType::Ed25519, 1);
    let mut v2 = root(2, &[&rk[0]], 1, &[&fresh[0]], 1);
    v2.policy_version_floor = 10;
    w.mirrors
        .put(M1, "root/2.root.json", sign_root(&v2, &[&rk[0]]));
    // Within a day the device checks the root chain; the thief's huge version, signed by the
    // revoked key, is no longer accepted...
    w.refused_at(
        later("25h"),
        "not enough valid signatures from the policy keys",
    );
    // ...and a real policy above the reset floor is.
    w.publish_policy(&policy(11), &[&fresh[0]]);
    let report = w.sync().unwrap();
    assert_eq!(
        report.policy,
        PolicyChange::Updated {
            from: Some(1 << 63),
            to: 11
        }
    );
    assert_eq!(w.store.policy_floor().unwrap(), 11);
    // A version below the reset floor is a rollback.
    w.publish_policy(&policy(9), &[&fresh[0]]);
    w.refused("policy version 9 is below the version floor 11");
}

// ---- Key counting ----

#[test]
fn the_same_key_under_two_key_ids_counts_once() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let p = Rc::clone(&w.policy_keys);
    let mut r = root(1, &[&rk[0]], 1, &[&p[0]], 1);
    let spki = r
        .keys
        .values()
        .find(|k| k.public == p[0].public().to_base64())
        .unwrap()
        .clone();
    r.keys.insert("alias-of-the-same-key".into(), spki);
    r.roles.policy.keyids.push("alias-of-the-same-key".into());
    r.roles.policy.threshold = 2;
    // A root that demands two distinct policy keys but names one twice is itself invalid...
    w.root_v1 = sign_root(&r, &[&rk[0]]);
    w.refused("the policy threshold 2 cannot be met by its 1 distinct key");
    // ...and with a real second key, two signatures by the first key do not make two.
    let second = keys(KeyType::Ed25519, 1);
    r.keys.insert(
        second[0].public().key_id(),
        agent_core::trust::RootKey {
            keytype: KeyType::Ed25519,
            public: second[0].public().to_base64(),
        },
    );
    r.roles.policy.keyids.push(second[0].public().key_id());
    w.root_v1 = sign_root(&r, &[&rk[0]]);
    let mut e = Envelope::parse(&sign_policy(&policy(1), &[&p[0]])).unwrap();
    let mut again = e.signatures[0].clone();
    again.keyid = "alias-of-the-same-key".into();
    e.signatures.push(again);
    w.mirrors.put(M1, "policy.json", e.to_json());
    w.refused("1 of the 2 needed");
}

#[test]
fn duplicate_signatures_under_one_key_id_count_once() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let pk = Rc::clone(&w.policy_keys);
    let second = keys(KeyType::Ed25519, 1);
    w.root_v1 = sign_root(&root(1, &[&rk[0]], 1, &[&pk[0], &second[0]], 2), &[&rk[0]]);
    let mut e = Envelope::parse(&sign_policy(&policy(1), &[&pk[0]])).unwrap();
    let dup = e.signatures[0].clone();
    e.signatures.push(dup.clone());
    e.signatures.push(dup);
    w.mirrors.put(M1, "policy.json", e.to_json());
    w.refused("1 of the 2 needed");
    w.publish_policy(&policy(1), &[&pk[0], &second[0]]);
    assert!(w.sync().is_ok());
}

// ---- What is stored, what is sent ----

#[test]
fn stores_the_exact_bytes_received() {
    let mut w = World::new();
    let pk = Rc::clone(&w.policy_keys);
    let mut served = sign_policy(&policy(1), &[&pk[0]]);
    served.splice(
        1..1,
        b"\n   \"comment\": \"kept verbatim\",".iter().copied(),
    );
    w.mirrors.put(M1, "policy.json", served.clone());
    w.sync().unwrap();
    let active = w.store.active_policy().unwrap().unwrap();
    assert_eq!(
        active.sha256,
        agent_core::sha256_hex(&served),
        "the envelope's exact bytes"
    );
    let payload = Envelope::parse(&served).unwrap().payload_bytes().unwrap();
    assert_eq!(active.bytes, payload, "the payload exactly as signed");
    let (_, root_bytes) = w.store.trusted_root().unwrap().unwrap();
    assert_eq!(
        Envelope::parse(&root_bytes).unwrap(),
        Envelope::parse(&w.root_v1).unwrap()
    );
}

#[test]
fn an_unchanged_policy_costs_one_conditional_request() {
    let mut w = World::new();
    w.sync().unwrap();
    w.mirrors.requests.clear();
    let state_before = w.store.state_entries().unwrap();
    let rows_before = w.store.row_counts().unwrap();
    let report = w.sync_at(later("1h")).unwrap();
    assert_eq!(report.policy, PolicyChange::Unchanged);
    // Nothing is written but the sync time.
    assert_eq!(w.store.row_counts().unwrap(), rows_before);
    let changed: Vec<String> = w
        .store
        .state_entries()
        .unwrap()
        .into_iter()
        .filter(|e| !state_before.contains(e))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(changed, ["last_sync_ok_unix"]);
    assert_eq!(w.mirrors.requests.len(), 1, "{:?}", w.mirrors.requests);
    assert!(
        w.mirrors.requests[0].contains("policy.json if-none-match"),
        "{:?}",
        w.mirrors.requests
    );
    assert_eq!(report.bytes, 0);
    // Once a day the root chain is checked as well.
    w.mirrors.requests.clear();
    w.sync_at(later("25h")).unwrap();
    assert_eq!(w.mirrors.requests.len(), 2, "{:?}", w.mirrors.requests);
    assert!(w.mirrors.requests[1].ends_with("/root/2.root.json"));
}

#[test]
fn the_second_mirror_serves_when_the_first_is_down_and_the_first_failure_is_reported() {
    let mut w = World::new();
    let body = w.mirrors.files[M1].clone();
    w.mirrors.files.insert(M2.to_string(), body);
    w.mirrors.down.insert(M1.to_string());
    let report = w.sync().unwrap();
    assert_eq!(report.mirror, M2);
    assert_eq!(report.failed_mirrors.len(), 1);
    assert!(report.failed_mirrors[0].1.contains("connection refused"));
}

#[test]
fn a_bad_mirror_never_downgrades_what_a_good_one_gave() {
    let mut w = World::new();
    let pk = Rc::clone(&w.policy_keys);
    w.publish_signed(&policy(3));
    w.sync().unwrap();
    let stranger = keys(KeyType::Ed25519, 1);
    let mut m2 = w.mirrors.files[M1].clone();
    m2.insert(
        "policy.json".into(),
        sign_policy(&policy(4), &[&stranger[0]]),
    );
    w.mirrors.files.insert(M2.to_string(), m2);
    w.mirrors
        .files
        .get_mut(M1)
        .unwrap()
        .insert("policy.json".into(), sign_policy(&policy(2), &[&pk[0]]));
    w.refused("below the version floor 3");
    assert_eq!(w.active_version(), Some(3));
}

#[test]
fn refuses_a_policy_of_another_organisation_or_for_other_groups() {
    let mut w = World::new();
    let mut other = policy(1);
    other.organisation = "Gemeente Elders".into();
    w.publish_signed(&other);
    w.refused("the policy is for organisation `Gemeente Elders`");
    let mut board = policy(1);
    board.groups = vec!["mayor-and-aldermen".into()];
    w.publish_signed(&board);
    w.refused("meant for device groups mayor-and-aldermen");
    let mut ours = policy(1);
    ours.groups = vec!["inspection".into()];
    w.publish_signed(&ours);
    assert!(w.sync().is_ok());
}

#[test]
fn a_policy_issued_far_in_the_future_is_refused() {
    let mut w = World::new();
    let mut p = policy(1);
    p.issued_at = Some(later("30d"));
    p.expires = Some(later("60d"));
    w.publish_signed(&p);
    w.refused("more than a day ahead");
}

#[test]
fn the_sync_asks_for_each_document_with_its_cap() {
    // The transport enforces the cap while streaming (the nginx test shows a real body cut off);
    // what the sync owns is asking for every document with the right one.
    let mut w = World::new();
    w.sync().unwrap();
    assert!(!w.mirrors.caps.is_empty());
    for (url, cap) in &w.mirrors.caps {
        let want = if url.contains("/root/") {
            agent_core::trust::ROOT_CAP
        } else {
            agent_core::trust::POLICY_CAP
        };
        assert_eq!(*cap, want, "{url}");
    }
}

#[test]
fn failed_syncs_back_off_exponentially_with_jitter_and_a_success_resets() {
    let mut w = World::new();
    let c = config(&w.root_v1, &[M1, M2]);
    let wait =
        |w: &World, jitter: f64| next_sync(&w.store, &c, now(), jitter).unwrap().since(now());
    w.sync().unwrap();
    assert_eq!(wait(&w, 0.5), 3600, "after a success: the sync interval");
    w.mirrors.down.insert(M1.to_string());
    let mut waits = Vec::new();
    for _ in 0..4 {
        assert!(w.sync().is_err());
        waits.push(wait(&w, 0.5));
    }
    assert_eq!(waits, [60, 120, 240, 480]);
    assert_eq!(
        (wait(&w, 0.0), wait(&w, 0.999)),
        (384, 575),
        "spread by up to 20% either way"
    );
    for _ in 0..10 {
        assert!(w.sync().is_err());
    }
    assert_eq!(wait(&w, 0.5), 3600, "never longer than the interval");
    w.mirrors.down.clear();
    w.sync().unwrap();
    assert_eq!(wait(&w, 0.5), 3600);
    assert_eq!(w.store.state("sync_failures").unwrap(), None);
}

// ---- Issue 10: a hostile clock, a root rotation, a careless administrator ----

/// Issue 10.1: a rotation adds a policy key and keeps the old one. Before, the floor dropped to the
/// new root's `policy_version_floor` (0), and a mirror serving the genuine new root with an older,
/// unexpired policy signed by the kept key rolled the device back.
#[test]
fn a_rotation_that_keeps_a_policy_key_keeps_the_version_floor() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let pk = Rc::clone(&w.policy_keys);
    let old_v3 = sign_policy(&policy(3), &[&pk[0]]);
    w.sync().unwrap();
    w.publish_signed(&policy(5));
    w.sync().unwrap();
    assert_eq!(w.store.policy_floor().unwrap(), 5);
    // Root 2: the kept key plus a new one, floor 0 (what `root rotate` writes without --policy-floor).
    let added = keys(KeyType::Ed25519, 1);
    let v2 = root(2, &[&rk[0]], 1, &[&pk[0], &added[0]], 1);
    w.mirrors
        .put(M1, "root/2.root.json", sign_root(&v2, &[&rk[0]]));
    w.mirrors.put(M1, "policy.json", old_v3);
    w.refused("policy version 3 is below the version floor 5");
    assert_eq!(w.store.trusted_root().unwrap().unwrap().0, 2);
    assert_eq!(
        w.active_version(),
        Some(5),
        "the newer policy's blocks stay"
    );
    // Once no key that signed an accepted policy is trusted, the fast-forward recovery still works.
    let fresh = keys(KeyType::Ed25519, 1);
    let mut v3 = root(3, &[&rk[0]], 1, &[&fresh[0]], 1);
    v3.policy_version_floor = 2;
    w.mirrors
        .put(M1, "root/3.root.json", sign_root(&v3, &[&rk[0]]));
    w.publish_policy(&policy(4), &[&fresh[0]]);
    assert_eq!(
        w.sync_at(later("25h")).unwrap().policy,
        PolicyChange::Updated {
            from: Some(5),
            to: 4
        }
    );
}

/// Issue 10.2: one sync with the clock ten years ahead. Before, that attempt's time became the
/// time floor, and every later policy and root looked expired, for good.
#[test]
fn a_clock_set_years_ahead_for_one_sync_does_not_freeze_the_device() {
    let mut w = World::new();
    w.sync().unwrap();
    w.publish_signed(&policy(2));
    let err = w.sync_at(later("3650d")).unwrap_err().to_string();
    assert!(err.contains("expired"), "{err}");
    assert!(w.store.time_floor().unwrap() < later("1d"));
    // The clock is put right; the next sync works.
    assert_eq!(
        w.sync_at(later("1h")).unwrap().policy,
        PolicyChange::Updated {
            from: Some(1),
            to: 2
        }
    );
}

/// Issue 10.2: the clock far ahead of every signed time is a clock problem a scan reports, and a
/// scan under it does not move the time floor with it.
#[test]
fn a_clock_far_ahead_is_a_clock_problem_and_does_not_move_the_floor() {
    let mut w = World::new();
    w.sync().unwrap();
    w.scan_at(later("400d"));
    let problem = w.store.state("clock_problem").unwrap().unwrap_or_default();
    assert!(problem.contains("past every signed time"), "{problem}");
    let floor = w.store.time_floor().unwrap();
    assert!(
        floor < later("30d"),
        "the floor followed the clock: {floor}"
    );
    let report = agent_core::Report::build(&w.store, later("400d")).unwrap();
    assert!(
        report.clock_problem.as_deref() == Some(problem.as_str()),
        "the report shows it: {:?}",
        report.clock_problem
    );
    // The clock is put right: the problem clears and syncs work (the organisation's next policy
    // expires after the one the clock ran past).
    let mut next = policy(2);
    next.expires = Some(later("20d"));
    w.publish_signed(&next);
    w.sync_at(later("1h")).unwrap();
    w.scan_at(later("1h"));
    // What remains is the truth: the device judges by the furthest time the signed documents
    // vouched for (the old policy's expiry) until the clock passes it.
    let left = w.store.state("clock_problem").unwrap().unwrap_or_default();
    assert!(!left.contains("past every signed time"), "{left}");
}

/// Issue 10.6: forty root versions published at once. Before, the walk stopped at 32 and kept
/// nothing, so every sync failed the same way.
#[test]
fn a_root_chain_longer_than_one_walk_is_finished_by_the_next_sync() {
    let mut w = World::new();
    let rk = Rc::clone(&w.root_keys);
    let pk = Rc::clone(&w.policy_keys);
    for v in 2..=40 {
        w.mirrors.put(
            M1,
            &format!("root/{v}.root.json"),
            sign_root(&root(v, &[&rk[0]], 1, &[&pk[0]], 1), &[&rk[0]]),
        );
    }
    let err = w.sync().unwrap_err().to_string();
    assert!(err.contains("the next sync continues"), "{err}");
    assert_eq!(w.store.trusted_root().unwrap().unwrap().0, 33);
    let report = w.sync().unwrap();
    assert_eq!(report.root_version, 40);
    assert_eq!(w.active_version(), Some(1));
}

/// Issue 10.7: an object store answers 403 for a key that does not exist. Before, the missing
/// `root/2.root.json` failed every sync, the first enrolment included.
#[test]
fn a_403_for_the_next_root_means_there_is_no_newer_root() {
    let mut w = World::new();
    w.mirrors.forbidden_when_missing = true;
    assert_eq!(w.sync().unwrap().root_version, 1);
    assert_eq!(w.active_version(), Some(1));
    // Any other failure still fails, as before.
    w.mirrors.forbidden_when_missing = false;
    w.mirrors
        .put(M1, "root/2.root.json", b"not a root".to_vec());
    w.publish_signed(&policy(2));
    assert!(w.sync().is_err());
}

/// Issue 10.11: a floor that is not a number is an error, never 0 (which would reopen every
/// rollback).
#[test]
fn a_floor_that_is_not_a_number_fails_closed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("compliance.db");
    let mut w = World::new();
    w.store = Store::open(&db).unwrap();
    w.sync().unwrap();
    w.publish_signed(&policy(3));
    w.sync().unwrap();
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE state SET value = 'three' WHERE key = 'policy_floor'",
            [],
        )
        .unwrap();
    w.publish_signed(&policy(2));
    let err = w.sync().unwrap_err();
    // The store's failure, not a network one: the app alerts instead of retrying the download.
    assert!(matches!(err, Error::StoreContents { .. }), "{err:?}");
    let err = err.to_string();
    assert!(
        err.contains("`policy_floor` is `three`, not a number"),
        "{err}"
    );
    assert_eq!(w.active_version(), Some(3));
}

/// Issue 10.11: a damaged active policy does not stand in the way of a newly verified one.
/// Before, the sync read the active policy by parsing it, and failed on every mirror.
#[test]
fn a_damaged_active_policy_does_not_prevent_installing_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("compliance.db");
    let mut w = World::new();
    w.store = Store::open(&db).unwrap();
    w.sync().unwrap();
    let raw = rusqlite::Connection::open(&db).unwrap();
    raw.execute("UPDATE policy_history SET bytes = x'7b6e6f'", [])
        .unwrap();
    assert!(w.store.active_policy().is_err(), "the damage is real");
    w.publish_signed(&policy(2));
    w.sync().unwrap();
    assert_eq!(w.active_version(), Some(2));
}

/// Issue 10.11: a database that fails the integrity check at open is moved aside, named, and the
/// agent starts again from the last verified envelope kept beside it.
#[test]
fn a_database_that_fails_its_integrity_check_is_moved_aside_and_restored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("compliance.db");
    let mut w = World::new();
    w.store = Store::open(&db).unwrap();
    w.sync().unwrap();
    w.publish_signed(&policy(2));
    w.sync().unwrap();
    let floor = w.store.policy_floor().unwrap();
    w.store = Store::in_memory().unwrap();
    // Damage a page in the middle of the file (a flash cell gone bad; a half-written copy).
    let raw = rusqlite::Connection::open(&db).unwrap();
    raw.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    drop(raw);
    let mut bytes = std::fs::read(&db).unwrap();
    let page = 4096;
    assert!(bytes.len() > 3 * page);
    for b in &mut bytes[page..2 * page] {
        *b = 0xa5;
    }
    std::fs::write(&db, &bytes).unwrap();

    let store = Store::open(&db).unwrap();
    let note = store
        .recovered()
        .unwrap()
        .expect("the recovery is recorded");
    assert!(note.contains("compliance.db.damaged-"), "{note}");
    let moved: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".damaged-"))
        .collect();
    assert!(
        !moved.is_empty(),
        "the damaged file is kept for the helpdesk"
    );
    let active = store.active_policy().unwrap().expect("restored");
    assert_eq!(active.policy.version, 2);
    assert_eq!(store.policy_floor().unwrap(), floor);
    assert!(
        store.owned_blocks().unwrap().is_empty(),
        "owns nothing, lifts nothing"
    );
}

/// Found by trying it by hand: one scan with the clock a year ahead pushes the time floor to the
/// active policy's expiry (as far as the signed documents vouch). The same document served again
/// must then still be "nothing to do", not a failed sync for a policy already in force.
#[test]
fn the_active_policy_served_again_after_a_clock_ahead_is_nothing_to_do() {
    let mut w = World::new();
    w.sync().unwrap();
    w.scan_at(later("365d"));
    assert!(w.store.time_floor().unwrap() >= later("14d"));
    w.mirrors.ignore_etags = true;
    assert_eq!(
        w.sync_at(later("1h")).unwrap().policy,
        PolicyChange::SameVersion { version: 1 }
    );
}

/// Issue 11.6: a key that is not what it claims says which way, as a kind the caller can match.
#[test]
fn a_key_that_is_not_what_it_claims_says_which_way() {
    use agent_core::trust::KeyError;
    let private = PrivateKey::generate(KeyType::Ed25519).unwrap();
    assert_eq!(
        PrivateKey::parse(&private.public().to_pem()).unwrap_err(),
        KeyError::PublicInsteadOfPrivate
    );
    assert_eq!(
        PrivateKey::parse("hello").unwrap_err(),
        KeyError::NotAPrivateKey
    );
    assert_eq!(
        PublicKey::parse("not a key at all").unwrap_err(),
        KeyError::NotAPublicKey
    );
    let cut = private.to_pem().replace("-----END PRIVATE KEY-----", "");
    assert_eq!(
        PrivateKey::parse(&cut).unwrap_err(),
        KeyError::PemUnterminated {
            label: "PRIVATE KEY".into()
        }
    );
    assert_eq!(
        PublicKey::parse("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n")
            .unwrap_err(),
        KeyError::PemNotBase64
    );
    // Well-formed base64 of something that is no Ed25519 or P-256 key (an RSA SPKI's start).
    assert_eq!(
        PublicKey::parse("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA").unwrap_err(),
        KeyError::UnsupportedPublicKey
    );
    assert_eq!(
        PrivateKey::from_pkcs8_der(b"not pkcs8").unwrap_err(),
        KeyError::UnsupportedPrivateKey
    );
}

/// Issue 14.6: a lapsed root stops every phone from accepting a new policy; status says when it
/// expires, and warns 30 days ahead.
#[test]
fn status_warns_thirty_days_before_the_root_expires() {
    let mut w = World::new();
    w.sync().unwrap();
    let fine = agent_core::status(&w.store, later("300d"))
        .unwrap()
        .to_text();
    assert!(fine.contains("Root expires: "), "{fine}");
    assert!(!fine.contains("WARNING"), "{fine}");
    let soon = agent_core::status(&w.store, later("340d")).unwrap();
    assert_eq!(soon.root_expires_in_days, Some(25));
    assert!(
        soon.to_text()
            .contains("WARNING: the root expires in 25 day(s)"),
        "{}",
        soon.to_text()
    );
    let lapsed = agent_core::status(&w.store, later("370d"))
        .unwrap()
        .to_text();
    assert!(lapsed.contains("WARNING: the root expired on"), "{lapsed}");
}

/// Issue 14.5: what the tool writes as a configuration (the demo's `config.json`) is read back
/// the same, with the managed configuration's keys.
#[test]
fn a_configuration_written_by_the_tool_reads_back_the_same() {
    let w = World::new();
    let mut config = config(&w.root_v1, &[M1, M2]);
    config.emm_package = Some("com.airwatch.androidagent".into());
    config.ca_certificates = Some("-----BEGIN CERTIFICATE-----\n…".into());
    let text = config.to_json();
    let keys: serde_json::Value = serde_json::from_slice(&text).unwrap();
    assert!(
        keys.get("device_groups").is_some() && keys.get("groups").is_none(),
        "{keys}"
    );
    assert!(keys.get("sync_interval_minutes").is_some(), "{keys}");
    assert_eq!(
        agent_core::trust::DeviceConfig::from_json("written", &text).unwrap(),
        config
    );
}
