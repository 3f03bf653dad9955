//! Issue 16's figure, a measurement and not a check: `appwacht apk inspect` of a 100 MB APK (a
//! stored, incompressible 100 MiB asset; signed by apksigner with v2 and v3, RSA 2048) against
//! `sha256sum` of the same file in the same run (reading and hashing it once: the floor for a
//! v2/v3 digest, which must read the file once), and `apksigner verify` of it for comparison. A
//! second file signed with v1 as well shows what the JAR signature's per-entry digest adds.
//!
//! Run: `cargo bench -p appwacht-tests --bench apk`

use std::path::{Path, PathBuf};
use std::process::Command;

use appwacht_tests::root;

static FILES: std::sync::OnceLock<(PathBuf, PathBuf)> = std::sync::OnceLock::new();

fn ok(cmd: &mut Command) {
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn signed(dir: &Path, name: &str, min_sdk: &str, v1: bool) -> PathBuf {
    let apk = dir.join(name);
    ok(Command::new("python3")
        .arg(root().join("tests/peers/make_apk.py"))
        .arg(&apk)
        .args(["com.example.large", "1", "1.0", min_sdk, "34", "100"]));
    ok(Command::new("apksigner")
        .args(["sign", "--key"])
        .arg(dir.join("rsa.pk8"))
        .arg("--cert")
        .arg(dir.join("rsa.pem"))
        .args(["--v1-signing-enabled", if v1 { "true" } else { "false" }])
        .args([
            "--v2-signing-enabled",
            "true",
            "--v3-signing-enabled",
            "true",
        ])
        .arg(&apk));
    apk
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("apk: a measurement; run it with `cargo bench -p appwacht-tests --bench apk`");
        return;
    }
    let dir = std::env::temp_dir().join(format!("appwacht-bench-apk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let ssl = |args: &[&str]| ok(Command::new("openssl").args(args).current_dir(&dir));
    ssl(&["genrsa", "-out", "rsa.key", "2048"]);
    ssl(&[
        "pkcs8", "-topk8", "-nocrypt", "-in", "rsa.key", "-outform", "DER", "-out", "rsa.pk8",
    ]);
    ssl(&[
        "req",
        "-new",
        "-x509",
        "-key",
        "rsa.key",
        "-out",
        "rsa.pem",
        "-days",
        "30",
        "-subj",
        "/CN=Bench",
    ]);
    let v23 = signed(&dir, "large-v2v3.apk", "24", false);
    let v123 = signed(&dir, "large-v1v2v3.apk", "21", true);
    println!(
        "APKs: {} ({} bytes), {} ({} bytes)",
        v23.display(),
        std::fs::metadata(&v23).map(|m| m.len()).unwrap_or(0),
        v123.display(),
        std::fs::metadata(&v123).map(|m| m.len()).unwrap_or(0)
    );
    let _ = FILES.set((v23, v123));
    divan::main();
    let _ = std::fs::remove_dir_all(dir);
}

fn inspect(file: &Path) -> usize {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = appwacht_cli::run(
        [
            "appwacht",
            "apk",
            "inspect",
            "--json",
            &file.display().to_string(),
        ],
        &mut out,
        &mut err,
    );
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&out));
    out.len()
}

/// The floor: the file read and hashed once.
#[divan::bench(sample_count = 9, sample_size = 1)]
fn sha256sum_100mb() {
    ok(Command::new("sha256sum").arg(&FILES.get().expect("made").0));
}

/// The same floor with OpenSSL's SHA-256 (which uses the CPU's SHA instructions, as ring does;
/// coreutils' sha256sum does not).
#[divan::bench(sample_count = 9, sample_size = 1)]
fn openssl_sha256_100mb() {
    ok(Command::new("openssl")
        .args(["dgst", "-sha256"])
        .arg(&FILES.get().expect("made").0));
}

/// `appwacht apk inspect` of the v2+v3 APK (in process).
#[divan::bench(sample_count = 9, sample_size = 1)]
fn inspect_100mb_v2_v3() -> usize {
    inspect(&FILES.get().expect("made").0)
}

/// The same with a JAR signature too: v1 digests every entry again.
#[divan::bench(sample_count = 9, sample_size = 1)]
fn inspect_100mb_v1_v2_v3() -> usize {
    inspect(&FILES.get().expect("made").1)
}

/// Debian's apksigner on the v2+v3 APK, a JVM start included.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn apksigner_verify_100mb_v2_v3() {
    ok(Command::new("apksigner")
        .arg("verify")
        .arg(&FILES.get().expect("made").0));
}
