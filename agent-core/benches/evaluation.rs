//! Evaluation cost: 1,000 packages against policies of 100, 10,000 and 100,000 rules, for a full scan
//! and for the one-package decision taken after an install, against a baseline of bare hash-set
//! look-ups of the same names and digests measured in the same run.
//!
//! Run: `cargo bench -p agent-core --bench evaluation`

use std::collections::{BTreeMap, HashSet};
use std::hint::black_box;

use agent_core::policy::{DefaultDecision, Match, Publisher, Rule};
use agent_core::{
    Action, CertDigest, CertFingerprint, CertSha1, Effect, Engine, Enrolment, Mode, Package,
    Policy, Timestamp,
};
use divan::Bencher;

fn main() {
    divan::main();
}

const PACKAGES: usize = 1_000;

fn digest(seed: u64) -> CertDigest {
    let mut out = [0u8; 32];
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1);
    for b in out.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    CertDigest(out)
}

/// The SHA-1 beside `digest(seed)`: any 20 bytes do, the engine only looks them up.
fn sha1(seed: u64) -> CertSha1 {
    let mut out = [0u8; 20];
    out.copy_from_slice(&digest(seed).0[..20]);
    CertSha1(out)
}

/// A phone: 1,000 packages, a quarter of them with a signing history, each certificate with its
/// SHA-256 and SHA-1 as the agent reads them.
fn phone() -> Vec<Package> {
    let t = Timestamp::from_unix(1_790_000_000);
    (0..PACKAGES as u64)
        .map(|i| Package {
            name: format!("com.vendor{}.app{i}", i % 97),
            version_code: i as i64,
            version_name: String::new(),
            installer: Some(
                if i % 10 == 0 {
                    "org.fdroid.fdroid"
                } else {
                    "com.android.vending"
                }
                .into(),
            ),
            initiating_installer: None,
            originating_installer: None,
            system: i % 3 == 0,
            signers: vec![digest(i)],
            signing_history: if i % 4 == 0 {
                vec![digest(i + 1_000_000)]
            } else {
                vec![]
            },
            signers_sha1: vec![sha1(i)],
            signing_history_sha1: if i % 4 == 0 {
                vec![sha1(i + 1_000_000)]
            } else {
                vec![]
            },
            first_install: t,
            last_update: t,
            suspended: false,
            hidden: false,
            label: None,
        })
        .collect()
}

/// A policy of `n` rules the way large deny-lists look: mostly package names and certificate
/// digests (about 1% of them hitting the phone), some prefixes and publishers, and a handful of
/// rules on installer, version or app kind that every package must be checked against.
fn policy(n: usize) -> Policy {
    let mut publishers = BTreeMap::new();
    let mut rules = Vec::with_capacity(n);
    for i in 0..n {
        let hit = i % 100 == 0;
        let target = (i % PACKAGES) as u64;
        let matcher = match i % 10 {
            0..=4 => Match {
                packages: vec![if hit {
                    format!("com.vendor{}.app{target}", target % 97)
                } else {
                    format!("org.banned{i}.app")
                }],
                ..Match::default()
            },
            5..=7 => Match {
                // One in three certificate rules names a SHA-1, as an imported feed does.
                signers: vec![match (hit, i % 10 == 7) {
                    (true, _) => digest(target).into(),
                    (false, true) => sha1(10_000_000 + i as u64).into(),
                    (false, false) => digest(10_000_000 + i as u64).into(),
                }],
                ..Match::default()
            },
            8 => Match {
                package_prefixes: vec![format!("net.prefix{i}.")],
                ..Match::default()
            },
            _ => {
                let id = format!("pub{i}");
                publishers.insert(
                    id.clone(),
                    Publisher {
                        name: id.clone(),
                        country: Some("CN".into()),
                        certificates: vec![digest(20_000_000 + i as u64).into()],
                        packages: vec![format!("cn.publisher{i}.app")],
                        pem_certificates: vec![],
                    },
                );
                Match {
                    publishers: vec![id],
                    ..Match::default()
                }
            }
        };
        rules.push(Rule {
            id: format!("r{i}"),
            effect: Effect::Deny,
            matcher,
            action: Some(Action::Suspend),
            escalation: vec![],
            tiers: vec![],
            message: None,
            link: None,
        });
    }
    for (i, matcher) in [
        Match {
            app: Some(agent_core::policy::AppKind::User),
            not_installed_by: vec!["com.android.vending".into()],
            ..Match::default()
        },
        Match {
            installed_by: vec!["com.evil.store".into()],
            ..Match::default()
        },
        Match {
            max_version_code: Some(-1),
            ..Match::default()
        },
    ]
    .into_iter()
    .enumerate()
    {
        rules.push(Rule {
            id: format!("generic{i}"),
            effect: Effect::Deny,
            matcher,
            action: Some(Action::Warn),
            escalation: vec![],
            tiers: vec![],
            message: None,
            link: None,
        });
    }
    Policy {
        schema: 1,
        organisation: "Bench".into(),
        version: 1,
        issued_at: None,
        groups: vec![],
        expires: None,
        mode: Mode::Enforce,
        default: DefaultDecision {
            effect: Effect::Allow,
            action: None,
            escalation: vec![],
            message: None,
            link: None,
        },
        publishers,
        tiers: vec![],
        rules,
        exceptions: vec![],
        device: Default::default(),
        report: Default::default(),
    }
}

const SIZES: [usize; 3] = [100, 10_000, 100_000];

#[divan::bench(args = SIZES)]
fn full_scan(bencher: Bencher, rules: usize) {
    let engine = Engine::new(policy(rules));
    let scope = engine.scope(&Enrolment::in_groups(vec![]));
    let packages = phone();
    let now = Timestamp::from_unix(1_800_000_000);
    bencher.bench_local(|| engine.evaluate(black_box(&packages), &scope, now));
}

#[divan::bench(args = SIZES)]
fn one_package(bencher: Bencher, rules: usize) {
    let engine = Engine::new(policy(rules));
    let scope = engine.scope(&Enrolment::in_groups(vec![]));
    let packages = phone();
    let now = Timestamp::from_unix(1_800_000_000);
    let mut i = 0;
    bencher.bench_local(|| {
        i = (i + 1) % packages.len();
        engine.decide(black_box(&packages[i]), &scope, now)
    });
}

/// The baseline: for each package, one look-up of its name and one per certificate digest in hash
/// sets holding the policy's names and digests. No rule semantics, no decision objects.
#[divan::bench(args = SIZES)]
fn baseline_hash_lookups(bencher: Bencher, rules: usize) {
    let p = policy(rules);
    let names: HashSet<&str> = p
        .rules
        .iter()
        .flat_map(|r| r.matcher.packages.iter().map(String::as_str))
        .collect();
    let digests: HashSet<CertFingerprint> = p
        .rules
        .iter()
        .flat_map(|r| r.matcher.signers.iter().copied())
        .collect();
    let packages = phone();
    bencher.bench_local(|| {
        let mut hits = 0usize;
        for pkg in black_box(&packages) {
            hits += names.contains(pkg.name.as_str()) as usize;
            hits += pkg
                .all_fingerprints()
                .filter(|d| digests.contains(d))
                .count();
        }
        hits
    });
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn build_index(bencher: Bencher, rules: usize) {
    let p = policy(rules);
    bencher
        .with_inputs(|| p.clone())
        .bench_local_values(Engine::new);
}

/// The core's share of the install path: one newly installed package (matched by a deny rule)
/// read from the device, decided, journalled, suspended and recorded, on a phone of 1,000 packages
/// under the 100-rule policy, with the store on disk (`synchronous=FULL`: each commit is an
/// `fsync`) and in memory; the decision alone is `one_package` above, in the same run.
#[divan::bench(args = ["disk", "memory"], sample_count = 20, sample_size = 5)]
fn install_path_in_the_core(bencher: Bencher, store: &str) {
    use agent_core::{Device, Inventory, Scope, SimulatedDevice, Store, scan};
    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = match store {
        "disk" => Store::open(&dir.path().join("compliance.db")).expect("store"),
        _ => Store::in_memory().expect("store"),
    };
    let now = Timestamp::from_unix(1_800_000_000);
    db.activate_policy(&policy(100).to_json(), "bench", now)
        .expect("policy");
    let mut device = SimulatedDevice::new(Inventory {
        device: Device::default(),
        packages: phone(),
        unreadable: vec![],
    });
    let enrolment = Enrolment::in_groups(vec![]);
    scan(&mut db, &mut device, &enrolment, Scope::Full, "full", now).expect("full scan");
    let template = phone()[1].clone();
    let mut i = 0;
    bencher.bench_local(|| {
        i += 1;
        let mut p = template.clone();
        p.name = format!("net.prefix8.app{i}");
        device.inventory.packages.push(p);
        let name = format!("net.prefix8.app{i}");
        let summary = scan(
            &mut db,
            &mut device,
            &enrolment,
            Scope::Package(&name),
            "install",
            now,
        )
        .expect("install path");
        assert_eq!(summary.packages, 1);
        summary
    });
}
