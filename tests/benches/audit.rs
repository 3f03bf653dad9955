//! The helpdesk's audit of a 700 KB / 400-package `dumpsys package` dump, against the time mvt
//! (the Mobile Verification Toolkit) takes to parse the same file, measured in the same run, and
//! against reading the dump's lines (a floor no parser can beat).
//!
//! Run: `cargo bench -p appwacht-tests --bench audit`

use std::hint::black_box;
use std::process::Command;

use agent_core::audit::{AdbDump, audit, parse_dumpsys};
use agent_core::policy::authoring;
use agent_core::{Enrolment, Policy, Timestamp};
use appwacht_tests::{adb::large_dump, root};

const PACKAGES: usize = 400;

fn main() {
    let text = large_dump(PACKAGES);
    let file = std::env::temp_dir().join(format!("appwacht-bench-dump-{}.txt", std::process::id()));
    std::fs::write(&file, &text).expect("write the dump");
    println!(
        "dump: {} bytes, {PACKAGES} packages ({})",
        text.len(),
        file.display()
    );
    mvt(&file);
    divan::main();
    let _ = std::fs::remove_file(file);
}

/// mvt's `DumpsysPackagesArtifact.parse` on the same file: the median of 15 runs, timed inside
/// Python so the interpreter's start is not counted.
fn mvt(file: &std::path::Path) {
    let script = r#"
import sys, time, statistics
from mvt.android.artifacts.dumpsys_packages import DumpsysPackagesArtifact
text = open(sys.argv[1]).read()
times = []
for _ in range(15):
    a = DumpsysPackagesArtifact()
    t = time.perf_counter()
    a.parse(text)
    times.append(time.perf_counter() - t)
print(f"mvt DumpsysPackagesArtifact.parse: median {statistics.median(times)*1e3:.2f} ms, fastest {min(times)*1e3:.2f} ms, {len(a.results)} packages")
"#;
    match Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(file)
        .output()
    {
        Ok(out) if out.status.success() => print!("{}", String::from_utf8_lossy(&out.stdout)),
        Ok(out) => println!(
            "mvt could not run: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => println!("python3 could not run: {e}"),
    }
}

fn policy() -> Policy {
    let path = root().join("tests/dumps/audit-policy.toml");
    let now = Timestamp::parse("2026-11-22T12:00:00Z").expect("time");
    authoring::compile(
        "audit-policy.toml",
        &std::fs::read_to_string(path).expect("policy"),
        now,
    )
    .expect("policy")
}

/// The floor: every line of the dump visited once.
#[divan::bench]
fn baseline_read_lines(b: divan::Bencher) {
    let text = large_dump(PACKAGES);
    b.bench(|| black_box(&text).lines().map(str::len).sum::<usize>());
}

/// Parsing alone: what mvt does.
#[divan::bench]
fn parse_dumpsys_400(b: divan::Bencher) {
    let text = large_dump(PACKAGES);
    b.bench(|| {
        let mut dump = AdbDump::default();
        parse_dumpsys("bench", black_box(&text), &mut dump, &mut |_| {}).expect("a dump");
        dump
    });
}

/// The whole audit: parse, recognise signers by hash, judge every package with the engine.
#[divan::bench]
fn audit_400(b: divan::Bencher) {
    let text = large_dump(PACKAGES);
    let policy = policy();
    let enrolment = Enrolment::in_groups(vec![]);
    let now = Timestamp::parse("2026-11-22T12:00:00Z").expect("time");
    b.bench(|| {
        let mut dump = AdbDump::default();
        parse_dumpsys("bench", black_box(&text), &mut dump, &mut |_| {}).expect("a dump");
        audit("bench", &dump, &policy, &enrolment, now)
    });
}
