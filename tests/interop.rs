//! Interoperability with securesystemslib (PyPI), the reference DSSE implementation, both ways.

use std::process::Command;

use agent_core::trust::verify_policy;
use agent_core::trust::{Envelope, POLICY_TYPE};
use agent_core::trust::{KeyType, PrivateKey, PublicKey};
use appwacht_tests::org::*;
use appwacht_tests::root as workspace;

fn peer(args: &[&str]) -> std::process::Output {
    let script = workspace().join("tests/peers/sslib_peer.py");
    Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3: {e}"))
}

fn checked(out: std::process::Output) -> String {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the securesystemslib peer failed (run .ci/test, which installs it from PyPI): {text}{err}"
    );
    text
}

#[test]
fn envelopes_signed_by_securesystemslib_verify_here_as_policies() {
    let dir = tempfile::tempdir().unwrap();
    let payload = policy(7).to_json();
    std::fs::write(dir.path().join("payload.json"), &payload).unwrap();
    checked(peer(&[
        "sign",
        dir.path().to_str().unwrap(),
        dir.path().join("payload.json").to_str().unwrap(),
    ]));
    for name in ["ed25519", "ecdsa"] {
        let pem = std::fs::read_to_string(dir.path().join(format!("{name}.pub.pem"))).unwrap();
        let key = PublicKey::parse(&pem).unwrap();
        let bytes = std::fs::read(dir.path().join(format!("{name}.json"))).unwrap();
        // Through a root that names the peer's key as the policy key: the device's own path.
        let rk = keys(KeyType::Ed25519, 1);
        let mut r = root(1, &[&rk[0]], 1, &[&rk[0]], 1);
        let id = key.key_id();
        r.keys.insert(
            id.clone(),
            agent_core::trust::RootKey {
                keytype: key.kind(),
                public: key.to_base64(),
            },
        );
        r.roles.policy.keyids = vec![id];
        let verified = verify_policy(&r, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(verified.policy.version, 7);
        assert_eq!(
            verified.payload, payload,
            "{name}: the payload exactly as signed"
        );
        // And a tampered copy does not.
        let mut e = Envelope::parse(&bytes).unwrap();
        e.payload = Envelope::new(POLICY_TYPE, &policy(8).to_json()).payload;
        assert!(verify_policy(&r, &e.to_json()).is_err(), "{name}: tampered");
    }
}

#[test]
fn envelopes_signed_here_verify_in_securesystemslib() {
    let dir = tempfile::tempdir().unwrap();
    for kind in [KeyType::Ed25519, KeyType::EcdsaP256] {
        let key = PrivateKey::generate(kind).unwrap();
        let env_path = dir.path().join(format!("{kind}.json"));
        let pem_path = dir.path().join(format!("{kind}.pub.pem"));
        std::fs::write(&env_path, sign_policy(&policy(3), &[&key])).unwrap();
        std::fs::write(&pem_path, key.public().to_pem()).unwrap();
        let out = checked(peer(&[
            "verify",
            env_path.to_str().unwrap(),
            pem_path.to_str().unwrap(),
        ]));
        assert!(
            out.contains(&format!("verified {POLICY_TYPE} by 1 key(s)")),
            "{kind}: {out}"
        );
        // The peer refuses a signature by another key.
        let other = PrivateKey::generate(kind).unwrap();
        std::fs::write(&pem_path, other.public().to_pem()).unwrap();
        let out = peer(&[
            "verify",
            env_path.to_str().unwrap(),
            pem_path.to_str().unwrap(),
        ]);
        assert!(!out.status.success(), "{kind}: verified with the wrong key");
    }
}
