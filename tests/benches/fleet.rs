//! Issue 15's figures, a measurement and not a check.
//!
//! 1. What records cost a scan: the install path's scan of a package that opens a violation (a
//!    finding row, the suspend, and its records: finding.opened, enforcement, scan.summary) against
//!    the same path for an allowed app (no record), on a phone of 1,000 apps; and a heartbeat alone
//!    (one record and the reads it summarises). Delivery is not part of any scan: its cost is the
//!    formatting of a 200-record batch for each sink, measured beside them.
//! 2. The fleet report over 10,000 phones × 30 days of records (generated: a heartbeat a day per
//!    phone, a scan summary on a tenth of the days, a violation opened on 3% of the phones and
//!    resolved on half of those, a refused policy and a clock problem here and there), 30 gzip
//!    files as rsyslog and logrotate leave them, against `zcat FILES | wc -l` of the same files in
//!    the same run (the floor: reading and decompressing every line, nothing else).
//!
//! Run: `cargo bench -p appwacht-tests --bench fleet`

use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use agent_core::records::{PolicyRef, Record, SCHEMA, Severity, otlp_json, syslog_frame};
use agent_core::{Mode, Scope, SimulatedDevice, Span, Store, Timestamp, scan};
use appwacht_tests::{app, enrolment, inventory, policy_json};

const PHONES: u64 = 10_000;
const DAYS: u64 = 30;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("fleet: a measurement; run it with `cargo bench -p appwacht-tests --bench fleet`");
        return;
    }
    let dir = std::env::temp_dir().join(format!("appwacht-bench-fleet-{}", std::process::id()));
    let (records, bytes) = generate(&dir);
    println!(
        "fleet input: {PHONES} phones × {DAYS} days: {records} records, {bytes} bytes uncompressed, in {}",
        dir.display()
    );
    let _ = DIR.set(dir.clone());
    divan::main();
    let _ = std::fs::remove_dir_all(dir);
}

static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

fn record(device: u64, seq: u64, time: Timestamp, kind: &str, data: serde_json::Value) -> Record {
    Record {
        schema: SCHEMA.into(),
        id: format!("{device:08x}-0000-4000-8000-{seq:012x}"),
        seq,
        time,
        kind: kind.into(),
        severity: match kind {
            "finding.opened" | "policy.refused" | "clock.problem" => Severity::Violation,
            "heartbeat" | "scan.summary" => Severity::Routine,
            _ => Severity::Notice,
        },
        device: format!("GT-{device:05}"),
        organisation: Some("Gemeente Voorbeeld".into()),
        agent: "0.1.0".into(),
        policy: Some(PolicyRef {
            version: if device.is_multiple_of(50) { 6 } else { 7 },
            sha256: "5d".repeat(32),
        }),
        data,
    }
}

/// Writes the 30 daily files; returns the records and uncompressed bytes written.
fn generate(dir: &Path) -> (u64, u64) {
    std::fs::create_dir_all(dir).expect("bench dir");
    let start = Timestamp::parse("2026-11-01T00:00:00Z").expect("time");
    let mut seqs = vec![0u64; PHONES as usize];
    let (mut records, mut bytes) = (0u64, 0u64);
    for day in 0..DAYS {
        let path = dir.join(format!("records-2026-11-{:02}.jsonl.gz", day + 1));
        let file = std::fs::File::create(&path).expect("file");
        let mut z = flate2::write::GzEncoder::new(
            std::io::BufWriter::new(file),
            flate2::Compression::fast(),
        );
        for phone in 0..PHONES {
            // A few phones fall silent after a week.
            if phone % 333 == 0 && day > 7 {
                continue;
            }
            let at = start.plus(Span::from_secs((day * 86_400 + phone % 86_000) as i64));
            let mut out = |kind: &str, data: serde_json::Value| {
                let seq = &mut seqs[phone as usize];
                *seq += 1;
                let line = record(phone, *seq, at, kind, data).to_json();
                bytes += line.len() as u64 + 1;
                records += 1;
                z.write_all(line.as_bytes()).expect("write");
                z.write_all(b"\n").expect("write");
            };
            if phone % 33 == day % 33 {
                out(
                    "finding.opened",
                    serde_json::json!({"package": "com.zhiliaoapp.musically", "label": "TikTok", "rule": "cyber-programme", "outcome": "denied", "action": "suspend", "taken": true, "certificates": ["a1".repeat(32)], "installer": "com.android.vending", "version_code": 370_104, "mode": "enforce"}),
                );
                out(
                    "enforcement",
                    serde_json::json!({"package": "com.zhiliaoapp.musically", "step": "suspend", "rule": "cyber-programme", "result": "ok"}),
                );
            }
            if phone % 66 == day % 33 && day > 0 {
                out(
                    "finding.resolved",
                    serde_json::json!({"package": "com.zhiliaoapp.musically", "rule": "cyber-programme", "why": "removed"}),
                );
            }
            if (phone + day) % 10 == 0 {
                out(
                    "scan.summary",
                    serde_json::json!({"trigger": "full", "packages": 180, "violations": 0, "steps": 0, "failures": 0, "opened": [], "resolved": []}),
                );
            }
            if phone % 1000 == 7 && day == 12 {
                out(
                    "policy.refused",
                    serde_json::json!({"reason": "mirror-2: rollback from version 7 to 5", "failures_in_a_row": 1}),
                );
            }
            if phone % 997 == 3 && day == 29 {
                out(
                    "clock.problem",
                    serde_json::json!({"problem": "the clock is 40 days behind the newest signed time", "cleared": false}),
                );
            }
            out(
                "heartbeat",
                serde_json::json!({"every_seconds": 86_400, "violations": 0, "findings": 0, "blocks": 0, "waiting": 0, "dropped": {"routine": 0, "notice": 0, "violation": 0}, "mode": "enforce", "management": "device_owner"}),
            );
        }
        z.finish().expect("gzip");
    }
    (records, bytes)
}

fn files() -> Vec<String> {
    let mut f: Vec<String> = std::fs::read_dir(DIR.get().expect("generated"))
        .expect("dir")
        .flatten()
        .map(|e| e.path().display().to_string())
        .collect();
    f.sort();
    f
}

/// The floor: every line decompressed and counted, by `zcat | wc -l`.
#[divan::bench(sample_count = 7, sample_size = 1)]
fn fleet_floor_zcat_wc_l() -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("zcat {} | wc -l", files().join(" ")))
        .output()
        .expect("zcat");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `appwacht fleet --from DIR --json`, in process (the bench profile's build).
#[divan::bench(sample_count = 7, sample_size = 1)]
fn fleet_report_10000_phones_30_days() -> usize {
    let dir = DIR.get().expect("generated").display().to_string();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = appwacht_cli::run(
        [
            "appwacht",
            "fleet",
            "--from",
            &dir,
            "--now",
            "2026-12-01T00:00:00Z",
            "--json",
        ],
        &mut out,
        &mut err,
    );
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    out.len()
}

/// A phone of 1,000 apps that scanned once with a policy denying `com.bad.app*`.
fn phone() -> (tempfile::TempDir, Store, SimulatedDevice) {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = Store::open(&dir.path().join("phone.db")).expect("store");
    let rules = "[[rules]]\nid = \"bad\"\neffect = \"deny\"\naction = \"suspend\"\nmatch = { package_prefixes = [\"com.bad.\"] }\n";
    store
        .activate_policy(
            &policy_json(rules, 1, Mode::Enforce),
            "p",
            appwacht_tests::now(),
        )
        .expect("policy");
    let packages = (0..1000)
        .map(|i| app(&format!("com.example.app{i}")))
        .collect();
    let mut device = SimulatedDevice::new(inventory(&[], packages));
    scan(
        &mut store,
        &mut device,
        &enrolment(&[]),
        Scope::Full,
        "full",
        appwacht_tests::now(),
    )
    .expect("scan");
    (dir, store, device)
}

/// The install path, again and again, for a new package named `prefix` and a number.
fn install_path(b: divan::Bencher, prefix: &str) {
    let (_dir, mut store, mut device) = phone();
    let mut i = 0u64;
    b.bench_local(|| {
        i += 1;
        let name = format!("{prefix}{i}");
        device.inventory.packages.push(app(&name));
        scan(
            &mut store,
            &mut device,
            &enrolment(&[]),
            Scope::Package(&name),
            "install",
            appwacht_tests::now(),
        )
        .expect("scan")
    });
}

/// The install path for an allowed app: no finding, no step, no record.
#[divan::bench(sample_count = 100)]
fn install_scan_allowed_app_no_record(b: divan::Bencher) {
    install_path(b, "com.example.new");
}

/// The install path for a denied app: a finding, a suspend, and three records.
#[divan::bench(sample_count = 100)]
fn install_scan_violation_three_records(b: divan::Bencher) {
    install_path(b, "com.bad.app");
}

/// One record on its own: a heartbeat (its reads and its write), a day apart each time.
#[divan::bench(sample_count = 100)]
fn heartbeat_one_record(b: divan::Bencher) {
    let (_dir, mut store, _device) = phone();
    let mut day = 0i64;
    b.bench_local(|| {
        day += 1;
        store
            .heartbeat_if_due(appwacht_tests::now().plus(Span::from_secs(day * 86_400)))
            .expect("heartbeat")
    });
}

fn batch() -> Vec<Record> {
    (1..=200)
        .map(|s| {
            record(17, s, appwacht_tests::now(), "finding.opened", serde_json::json!({"package": "com.zhiliaoapp.musically", "label": "TikTok", "rule": "cyber-programme", "outcome": "denied", "action": "suspend", "taken": true}))
        })
        .collect()
}

/// A 200-record batch as an OTLP/HTTP JSON body.
#[divan::bench]
fn delivery_format_otlp_200(b: divan::Bencher) {
    let records = batch();
    b.bench(|| otlp_json(black_box(&records)).len());
}

/// A 200-record batch as octet-counted RFC 5424 frames.
#[divan::bench]
fn delivery_format_syslog_200(b: divan::Bencher) {
    let records = batch();
    b.bench(|| {
        black_box(&records)
            .iter()
            .map(|r| syslog_frame(r).len())
            .sum::<usize>()
    });
}
