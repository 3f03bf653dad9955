//! Reading packages through JNI (issue 4), a measurement and not a check, so it is a bench and not
//! a test: 1,000 and 5,000 packages read through the adapter on the host JVM (release library, no
//! -Xcheck:jni, median of nine, same JVM) against parsing the same inventory from JSON in the core,
//! and the JVM's peak memory with the doubles set up and after reading them. The figures are in
//! docs/BENCHMARKS.md.
//!
//! Run: `cargo bench -p appwacht-tests --bench jni_read`

use appwacht_tests::jvm::{classes, harness_inputs, release_library, run_harness_with};

fn main() {
    // `cargo test --all-targets` runs bench targets too: only `cargo bench` (which passes
    // `--bench`) measures.
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "jni_read: a measurement; run it with `cargo bench -p appwacht-tests --bench jni_read`"
        );
        return;
    }
    let lib = release_library();
    let times = run_harness_with(lib, &[], 34, &harness_inputs(), &["bench"]).json("bench");
    println!("time (release library, no -Xcheck:jni, median of 9, same JVM): {times}");
    for n in [1000, 5000] {
        let rss = |scenario: &str| -> u64 {
            let out = tempfile::tempdir().expect("temp dir");
            let result = std::process::Command::new("/usr/bin/time")
                .args(["-v", "java"])
                .arg(format!("-Djava.library.path={}", lib.display()))
                .arg("-cp")
                .arg(classes())
                .arg("JniHarness")
                .arg(out.path())
                .arg(out.path())
                .arg(scenario)
                .output()
                .expect("GNU time (Debian package time) and java");
            let text = String::from_utf8_lossy(&result.stderr);
            text.lines()
                .find(|l| l.contains("Maximum resident set size"))
                .and_then(|l| l.rsplit(' ').next())
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or_else(|| panic!("no peak RSS in GNU time's output: {text}"))
        };
        let (setup, read) = (
            rss(&format!("mem-setup-{n}")),
            rss(&format!("mem-read-{n}")),
        );
        println!(
            "peak RSS, {n} packages: JVM with the doubles set up {setup} KiB; after reading them through JNI {read} KiB (+{} KiB)",
            read.saturating_sub(setup)
        );
    }
}
