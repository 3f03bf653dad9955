//! The app's two hot paths on the host JVM (issue 12), a measurement and not a check: the install
//! path end to end (broadcast handled → one package read through JNI → decision → store → suspend
//! call) in a warm JVM, against the worker's own round trip measured in the same run; and a cold
//! start (library load → agent open → first decision), median of nine JVMs, against the same JVM
//! starting with nothing loaded. Release library, no -Xcheck:jni, the example policy served by
//! nginx. The figures are in docs/BENCHMARKS.md.
//!
//! Run: `cargo bench -p appwacht-tests --bench app_paths`

use std::process::Command;

use appwacht_tests::jvm::{library, release_library};
use appwacht_tests::kotlin::{build, fixture};
use appwacht_tests::root;

fn main() {
    // `cargo test --all-targets` runs bench targets too: only `cargo bench` measures.
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "app_paths: a measurement; run it with `cargo bench -p appwacht-tests --bench app_paths`"
        );
        return;
    }
    let lib = release_library();
    // The bindings come from the unstripped test build (the release library has no UniFFI
    // metadata left after `strip`); the same Rust API, so they fit the release library.
    let compiled = build(
        library(),
        &[root().join("android/jvm/benches/AppPathsBench.kt")],
    );
    let fixture = fixture();
    let java = |args: &[&str]| -> (serde_json::Value, f64) {
        let started = std::time::Instant::now();
        let out = Command::new("java")
            .arg(format!("-Djava.library.path={}", lib.display()))
            .arg(format!("-Djna.library.path={}", lib.display()))
            .arg(format!("-Dappwacht.fixture={}", fixture.dir.display()))
            .arg("-cp")
            .arg(&compiled.run_cp)
            .arg("AppPathsBenchKt")
            .args(args)
            .output()
            .expect("java");
        let wall = started.elapsed().as_secs_f64() * 1000.0;
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .rev()
            .find(|l| l.starts_with('{'))
            .unwrap_or_else(|| {
                panic!(
                    "no result from {args:?}:\n{text}{}",
                    String::from_utf8_lossy(&out.stderr)
                )
            });
        (serde_json::from_str(line).expect("json"), wall)
    };
    let median = |mut xs: Vec<f64>| {
        xs.sort_by(f64::total_cmp);
        xs[xs.len() / 2]
    };

    let (install, _) = java(&["install"]);
    println!("install path (warm JVM, release library): {install}");

    let store = tempfile::tempdir().expect("store");
    let synced = store.path().join("synced");
    java(&["setup", &synced.display().to_string()]);
    let (mut cold, mut cold_wall, mut bare_wall) = (Vec::new(), Vec::new(), Vec::new());
    let mut stages: [Vec<f64>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for i in 0..9 {
        // Each cold start opens its own copy of the synced store, as a phone reopens its own.
        let dir = store.path().join(format!("cold{i}"));
        std::fs::create_dir_all(&dir).expect("dir");
        for entry in std::fs::read_dir(&synced).expect("synced store") {
            let entry = entry.expect("entry");
            std::fs::copy(entry.path(), dir.join(entry.file_name())).expect("copy");
        }
        let (v, wall) = java(&["cold", &dir.display().to_string()]);
        cold.push(v["cold_ms"].as_f64().expect("cold_ms"));
        for (k, stage) in ["load_ms", "open_ms", "decide_ms"]
            .iter()
            .zip(stages.iter_mut())
        {
            stage.push(v[k].as_f64().expect("stage"));
        }
        cold_wall.push(wall);
        bare_wall.push(java(&["jvm"]).1);
    }
    println!(
        "cold start (library load -> agent open -> first decision), median of 9: {:.1} ms in the JVM; process {:.0} ms against {:.0} ms for the same JVM with nothing loaded",
        median(cold),
        median(cold_wall),
        median(bare_wall)
    );
    let [load, open, decide] = stages;
    println!(
        "  of which: library load {:.1} ms, agent open (JNA, UniFFI, SQLite) {:.1} ms, first decision {:.1} ms",
        median(load),
        median(open),
        median(decide)
    );
}
