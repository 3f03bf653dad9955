//! Verification and parsing of a signed 1 MiB policy, and the local cost of a sync that finds
//! nothing new (a 304), against baselines measured in the same run.
//!
//! Run: `cargo bench -p agent-core --bench trust`

use std::collections::BTreeMap;
use std::hint::black_box;

use agent_core::policy::{DefaultDecision, Match, Rule};
use agent_core::trust::DeviceConfig;
use agent_core::trust::sync;
use agent_core::trust::{Envelope, POLICY_TYPE};
use agent_core::trust::{KeyType, PrivateKey};
use agent_core::trust::{Response, Transport, TransportError};
use agent_core::trust::{Root, verify_policy};
use agent_core::{Action, Effect, Mode, Policy, Span, Store, Timestamp};
use divan::Bencher;

fn main() {
    divan::main();
}

const NOW: i64 = 1_795_348_800;

/// A policy of about 1 MiB: deny rules with package names, as a long seed list would be.
fn big_policy() -> Policy {
    let rules = (0..7_000)
        .map(|i| Rule {
            id: format!("rule-{i}"),
            effect: Effect::Deny,
            matcher: Match {
                packages: vec![
                    format!("com.example.vendor{i}.app"),
                    format!("com.example.vendor{i}.lite"),
                ],
                ..Match::default()
            },
            action: Some(Action::Suspend),
            escalation: vec![],
            tiers: vec![],
            message: Some("This app is not allowed on work phones.".into()),
            link: None,
        })
        .collect();
    Policy {
        schema: 1,
        organisation: "Bench".into(),
        version: 1,
        issued_at: Some(Timestamp::from_unix(NOW)),
        expires: Some(Timestamp::from_unix(NOW + 14 * 86_400)),
        groups: vec![],
        mode: Mode::Enforce,
        default: DefaultDecision {
            effect: Effect::Allow,
            action: None,
            escalation: vec![],
            message: None,
            link: None,
        },
        publishers: BTreeMap::new(),
        tiers: vec![],
        rules,
        exceptions: vec![],
        device: Default::default(),
        report: Default::default(),
    }
}

fn root_for(root_key: &PrivateKey, policy_key: &PrivateKey) -> Root {
    let expires = Timestamp::from_unix(NOW + 365 * 86_400);
    Root::new(
        "Bench",
        1,
        expires,
        &[root_key.public()],
        1,
        &[policy_key.public()],
        1,
        0,
    )
}

fn signed(kind: KeyType) -> (Root, Vec<u8>, Vec<u8>) {
    let rk = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let pk = PrivateKey::generate(kind).unwrap();
    let payload = big_policy().to_json();
    let mut e = Envelope::new(POLICY_TYPE, &payload);
    e.sign(&pk).unwrap();
    (root_for(&rk, &pk), e.to_json(), payload)
}

#[divan::bench(args = ["ed25519", "ecdsa-p256"])]
fn verify_and_parse_1mib_policy(bencher: Bencher, kind: &str) {
    let (root, envelope, payload) = signed(if kind == "ed25519" {
        KeyType::Ed25519
    } else {
        KeyType::EcdsaP256
    });
    assert!(
        payload.len() > 1 << 20,
        "payload is {} bytes",
        payload.len()
    );
    bencher.bench_local(|| verify_policy(&root, black_box(&envelope)).unwrap());
}

/// Baseline: only parsing and validating the same payload, no envelope, no signature.
#[divan::bench]
fn baseline_parse_1mib_policy(bencher: Bencher) {
    let payload = big_policy().to_json();
    bencher.bench_local(|| Policy::from_json(black_box(&payload)).unwrap());
}

/// A mirror in memory that always answers 304 to the right entity tag.
struct NotModified {
    policy: Vec<u8>,
}

impl Transport for NotModified {
    fn get(
        &mut self,
        url: &str,
        etag: Option<&str>,
        _cap: u64,
    ) -> Result<Response, TransportError> {
        if url.ends_with("/policy.json") {
            if etag == Some("\"v1\"") {
                return Ok(Response {
                    status: 304,
                    etag: Some("\"v1\"".into()),
                    body: vec![],
                });
            }
            return Ok(Response {
                status: 200,
                etag: Some("\"v1\"".into()),
                body: self.policy.clone(),
            });
        }
        Ok(Response {
            status: 404,
            etag: None,
            body: vec![],
        })
    }
}

/// The device's whole cost of a sync that finds nothing new: time floor, trusted root
/// re-verified from the store, one conditional request, one state write (in-memory SQLite).
#[divan::bench]
fn unchanged_sync(bencher: Bencher) {
    let rk = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let pk = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let root = root_for(&rk, &pk);
    let mut root_env = root.to_envelope();
    root_env.sign(&rk).unwrap();
    let mut small = big_policy();
    small.rules.truncate(20);
    let mut e = Envelope::new(POLICY_TYPE, &small.to_json());
    e.sign(&pk).unwrap();
    let config = DeviceConfig {
        organisation: "Bench".into(),
        policy_urls: vec!["https://policies.example".into()],
        pinned_root: root_env,
        groups: vec![],
        sync_interval: Span::from_secs(3600),
        emm_package: None,
        emm_packages: Vec::new(),
        emm_certificates: Vec::new(),
        agent_certificates: Vec::new(),
        ca_certificates: None,
        request_timeout: Span::from_secs(10),
        records: Default::default(),
        allow_http_loopback: false,
    };
    let mut store = Store::in_memory().unwrap();
    let mut mirror = NotModified {
        policy: e.to_json(),
    };
    sync(&mut store, &config, &mut mirror, Timestamp::from_unix(NOW)).unwrap();
    let mut t = NOW;
    bencher.bench_local(|| {
        t += 1;
        sync(&mut store, &config, &mut mirror, Timestamp::from_unix(t)).unwrap()
    });
}

/// Only the JSON parse into the policy model, no validation.
#[divan::bench]
fn parse_only_1mib_policy(bencher: Bencher) {
    let payload = big_policy().to_json();
    bencher.bench_local(|| serde_json::from_slice::<Policy>(black_box(&payload)).unwrap());
}

/// Only validation of an already parsed policy.
#[divan::bench]
fn validate_only_1mib_policy(bencher: Bencher) {
    let policy = big_policy();
    bencher.bench_local(|| agent_core::policy::validate(black_box(&policy)).unwrap());
}

/// The example policy (`examples/policy.toml`, about 7 KB compiled): what a real deny-list costs.
#[divan::bench]
fn verify_and_parse_example_policy(bencher: Bencher) {
    let source = include_str!("../../examples/policy.toml");
    let mut policy = agent_core::policy::authoring::parse("examples/policy.toml", source).unwrap();
    policy.issued_at = Some(Timestamp::from_unix(NOW));
    policy.expires = Some(Timestamp::from_unix(NOW + 86_400));
    let rk = PrivateKey::generate(KeyType::Ed25519).unwrap();
    let pk = PrivateKey::generate(KeyType::EcdsaP256).unwrap();
    let mut e = Envelope::new(POLICY_TYPE, &policy.to_json());
    e.sign(&pk).unwrap();
    let (root, envelope) = (root_for(&rk, &pk), e.to_json());
    bencher.bench_local(|| verify_policy(&root, black_box(&envelope)).unwrap());
}

/// A phone whose platform reports 20 packages changed since the stored sequence (the catch-up at
/// start): one of them matching the policy, the others not.
struct ChangedPhone {
    inventory: agent_core::Inventory,
    changed: Vec<String>,
}

impl agent_core::PackageSource for ChangedPhone {
    fn inventory(&mut self) -> Result<agent_core::Inventory, agent_core::Error> {
        Ok(self.inventory.clone())
    }

    fn package(&mut self, name: &str) -> Result<Option<agent_core::Package>, agent_core::Error> {
        Ok(self.inventory.package(name).cloned())
    }

    fn powers(&mut self) -> Result<Option<agent_core::Powers>, agent_core::Error> {
        Ok(None)
    }

    fn changed_since(
        &mut self,
        _sequence: u32,
    ) -> Result<Option<agent_core::Changes>, agent_core::Error> {
        Ok(Some(agent_core::Changes {
            sequence: 1,
            packages: self.changed.clone(),
        }))
    }
}

impl agent_core::Enforcer for ChangedPhone {
    fn apply(&mut self, _step: &agent_core::Step) -> Result<(), agent_core::StepError> {
        Ok(())
    }
}

/// Twenty user apps from the store, as a catch-up finds them.
fn changed_packages() -> Vec<agent_core::Package> {
    let t = Timestamp::from_unix(NOW);
    (0..20)
        .map(|i| agent_core::Package {
            name: format!("org.changed{i}.app"),
            version_code: 1,
            version_name: String::new(),
            installer: Some("com.android.vending".into()),
            initiating_installer: None,
            originating_installer: None,
            system: false,
            signers: vec![],
            signing_history: vec![],
            signers_sha1: vec![],
            signing_history_sha1: vec![],
            first_install: t,
            last_update: t,
            suspended: false,
            hidden: false,
            label: None,
        })
        .collect()
}

/// A catch-up of 20 changed packages under the 1 MiB policy: each changed package is a scan of one
/// package, so what each scan costs besides its package (reading and compiling the policy) is paid
/// twenty times over. Baseline: the same 20 decisions with the engine built once, no store.
#[divan::bench]
fn catch_up_20_packages_1mib_policy(bencher: Bencher) {
    let t = Timestamp::from_unix(NOW);
    // One of the twenty hits the policy; the others do not.
    let mut packages = changed_packages();
    packages[0].name = "com.example.vendor7.app".into();
    let changed: Vec<String> = packages.iter().map(|p| p.name.clone()).collect();
    let mut store = Store::in_memory().unwrap();
    store
        .activate_policy(&big_policy().to_json(), "bench", t)
        .unwrap();
    let enrolment = agent_core::Enrolment::in_groups(vec![]);
    bencher.bench_local(|| {
        let mut phone = ChangedPhone {
            inventory: agent_core::Inventory {
                device: agent_core::Device::default(),
                packages: packages.clone(),
                unreadable: vec![],
            },
            changed: changed.clone(),
        };
        agent_core::reset_catch_up(&mut store).unwrap();
        black_box(agent_core::catch_up(&mut store, &mut phone, &enrolment, t).unwrap())
    });
}

/// The baseline of the catch-up: the 20 decisions alone, with the engine built once.
#[divan::bench]
fn baseline_20_decisions_1mib_policy(bencher: Bencher) {
    let t = Timestamp::from_unix(NOW);
    let engine = agent_core::Engine::new(big_policy());
    let scope = engine.scope(&agent_core::Enrolment::in_groups(vec![]));
    let packages = changed_packages();
    bencher.bench_local(|| black_box(engine.evaluate(&packages, &scope, t)));
}
