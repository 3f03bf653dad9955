//! Issue 16.1: `appwacht apk inspect` against Debian's `apksigner`, the peer. APKs are made with
//! `tests/peers/make_apk.py` (a binary manifest, no SDK) and signed by apksigner itself — v1
//! only, v2, v3, all three, with RSA and EC keys, a key rotated with `apksigner rotate` — then
//! changed the way an attacker would: a byte flipped, the file cut short, the v2 block stripped.
//! For every one the tool must give apksigner's verdict, the same schemes and the same signer.

use std::path::{Path, PathBuf};
use std::process::Command;

use appwacht_tests::*;

fn run(cmd: &mut Command) -> std::process::Output {
    cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {cmd:?}: {e} (run .ci/test, which installs apksigner)")
    })
}

fn ok(cmd: &mut Command) {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Keys {
    dir: tempfile::TempDir,
}

impl Keys {
    /// An RSA 2048 and an EC P-256 key with self-signed certificates, as `openssl` makes them.
    fn new() -> Keys {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let ssl = |args: &[&str]| ok(Command::new("openssl").args(args).current_dir(d));
        ssl(&["genrsa", "-out", "rsa.key", "2048"]);
        ssl(&[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "ec.key",
        ]);
        for k in ["rsa", "ec"] {
            ssl(&[
                "pkcs8",
                "-topk8",
                "-nocrypt",
                "-in",
                &format!("{k}.key"),
                "-outform",
                "DER",
                "-out",
                &format!("{k}.pk8"),
            ]);
            ssl(&[
                "req",
                "-new",
                "-x509",
                "-key",
                &format!("{k}.key"),
                "-out",
                &format!("{k}.pem"),
                "-days",
                "3650",
                "-subj",
                &format!("/CN=Appwacht Test {k}/O=Gemeente Test/C=NL"),
            ]);
        }
        Keys { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

fn make_apk(out: &Path, target_sdk: u32) {
    make_apk_from(out, 21, target_sdk);
}

fn make_apk_from(out: &Path, min_sdk: u32, target_sdk: u32) {
    ok(Command::new("python3")
        .arg(root().join("tests/peers/make_apk.py"))
        .arg(out)
        .args([
            "com.example.notes",
            "42",
            "4.2.0",
            &min_sdk.to_string(),
            &target_sdk.to_string(),
        ]));
}

/// Signs an unsigned APK (installing from `min_sdk`, targeting `target_sdk`) with apksigner.
fn sign(keys: &Keys, dir: &Path, name: &str, sdk: (u32, u32), key: &str, args: &[&str]) -> PathBuf {
    let apk = dir.join(name);
    make_apk_from(&apk, sdk.0, sdk.1);
    apksign(keys, key, &apk, args);
    apk
}

/// `apksigner sign` of `apk` in place with the RSA or EC key, and any further options.
fn apksign(keys: &Keys, key: &str, apk: &Path, extra: &[&str]) {
    ok(Command::new("apksigner")
        .args(["sign", "--key", &keys.path(&format!("{key}.pk8"))])
        .args(["--cert", &keys.path(&format!("{key}.pem"))])
        .args(extra)
        .arg(apk));
}

/// An APK signed by the RSA key rotated to the EC one (`apksigner rotate`, then `sign
/// --next-signer --lineage`), installing from `min_sdk`.
fn rotated_apk(keys: &Keys, d: &Path, min_sdk: u32) -> PathBuf {
    let lineage = d.join("lineage");
    let signer = |role: &str, key: &str| -> Vec<String> {
        vec![
            role.to_string(),
            "--key".into(),
            keys.path(&format!("{key}.pk8")),
            "--cert".into(),
            keys.path(&format!("{key}.pem")),
        ]
    };
    ok(Command::new("apksigner")
        .args(["rotate", "--out"])
        .arg(&lineage)
        .args(signer("--old-signer", "rsa"))
        .args(signer("--new-signer", "ec")));
    let apk = d.join("rotated.apk");
    make_apk_from(&apk, min_sdk, 34);
    ok(Command::new("apksigner")
        .arg("sign")
        .args(&signer("", "rsa")[1..])
        .args(signer("--next-signer", "ec"))
        .arg("--lineage")
        .arg(&lineage)
        .args(["--v3-signing-enabled", "true"])
        .arg(&apk));
    apk
}

/// What apksigner says: whether it verifies, the schemes it verified with, the first signer's
/// SHA-256 and SHA-1.
#[derive(Debug, PartialEq, Eq)]
struct Verdict {
    verifies: bool,
    schemes: Vec<String>,
    sha256: Option<String>,
    sha1: Option<String>,
}

fn apksigner(apk: &Path) -> Verdict {
    let out = run(Command::new("apksigner")
        .args(["verify", "-v", "--print-certs"])
        .arg(apk));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |prefix: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .map(|v| v.trim().to_string())
    };
    let schemes = ["v1", "v2", "v3"]
        .iter()
        .filter(|s| {
            text.lines().any(|l| {
                l.starts_with(&format!("Verified using {s} scheme")) && l.ends_with("true")
            })
        })
        .map(|s| s.to_string())
        .collect();
    let verifies = out.status.success() && text.starts_with("Verifies");
    Verdict {
        verifies,
        schemes: if verifies { schemes } else { Vec::new() },
        sha256: if verifies {
            field("Signer #1 certificate SHA-256 digest: ")
        } else {
            None
        },
        sha1: if verifies {
            field("Signer #1 certificate SHA-1 digest: ")
        } else {
            None
        },
    }
}

/// What the tool says, in the same terms (and its whole JSON answer).
fn appwacht_says(apk: &Path) -> (Verdict, serde_json::Value, i32) {
    let run = appwacht(&["apk", "inspect", "--json", &apk.display().to_string()]);
    let v: serde_json::Value =
        serde_json::from_str(&run.out).unwrap_or_else(|e| panic!("{e}: {}{}", run.out, run.err));
    let file = &v["files"][0];
    let verified = v["verified"] == true;
    let schemes: Vec<String> = file["schemes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["verdict"] == "verified" && s["scheme"] != "v3.1")
        .map(|s| s["scheme"].as_str().unwrap().to_string())
        .collect();
    let newest = file["schemes"].as_array().unwrap().last().cloned();
    let cert = newest
        .as_ref()
        .map(|s| s["signers"][0]["certificates"][0].clone());
    let verdict = Verdict {
        verifies: verified,
        schemes: if verified { schemes } else { Vec::new() },
        sha256: cert
            .as_ref()
            .filter(|_| verified)
            .and_then(|c| c["sha256"].as_str().map(str::to_string)),
        sha1: cert
            .as_ref()
            .filter(|_| verified)
            .and_then(|c| c["sha1"].as_str().map(str::to_string)),
    };
    (verdict, v, run.code)
}

/// Removes the APK Signing Block, pointing the end record at the central directory again: what
/// an attacker does to fall back on a weaker JAR signature.
fn strip_signing_block(apk: &Path, out: &Path) {
    let script = r#"
import struct, sys
b = open(sys.argv[1], 'rb').read()
e = b.rfind(b'PK\x05\x06')
cd = struct.unpack('<I', b[e+16:e+20])[0]
assert b[cd-16:cd] == b'APK Sig Block 42'
size = struct.unpack('<Q', b[cd-24:cd-16])[0]
start = cd - size - 8
eocd = bytearray(b[e:])
eocd[16:20] = struct.pack('<I', start)
open(sys.argv[2], 'wb').write(b[:start] + b[cd:e] + bytes(eocd))
"#;
    ok(Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(apk)
        .arg(out));
}

#[test]
fn apk_inspect_gives_apksigners_signers_and_verdicts_for_every_scheme_and_every_attack() {
    let keys = Keys::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut cases: Vec<(&str, PathBuf)> = vec![
        (
            "v1 only, RSA",
            sign(
                &keys,
                d,
                "v1.apk",
                (21, 29),
                "rsa",
                &[
                    "--v2-signing-enabled",
                    "false",
                    "--v3-signing-enabled",
                    "false",
                ],
            ),
        ),
        (
            "v2, RSA",
            sign(
                &keys,
                d,
                "v2.apk",
                (24, 34),
                "rsa",
                &[
                    "--v1-signing-enabled",
                    "false",
                    "--v3-signing-enabled",
                    "false",
                ],
            ),
        ),
        (
            "v3, EC",
            sign(
                &keys,
                d,
                "v3.apk",
                (28, 34),
                "ec",
                &[
                    "--v1-signing-enabled",
                    "false",
                    "--v2-signing-enabled",
                    "false",
                    "--v3-signing-enabled",
                    "true",
                ],
            ),
        ),
        (
            "v1+v2+v3, EC",
            sign(
                &keys,
                d,
                "all.apk",
                (21, 34),
                "ec",
                &[
                    "--v1-signing-enabled",
                    "true",
                    "--v2-signing-enabled",
                    "true",
                    "--v3-signing-enabled",
                    "true",
                ],
            ),
        ),
        // What older platforms cannot read: a JAR-only app targeting SDK 30+ (Android 11+
        // refuses it), v2 only from SDK 21 (Android 5 and 6 read only JAR); v3 only from SDK 24,
        // which apksigner accepts (the tool adds a note: Android 7 and 8 read no v3).
        (
            "v1 only, targeting SDK 34",
            sign(
                &keys,
                d,
                "v1-target34.apk",
                (21, 34),
                "rsa",
                &[
                    "--v2-signing-enabled",
                    "false",
                    "--v3-signing-enabled",
                    "false",
                ],
            ),
        ),
        (
            "v2 only, from SDK 21",
            sign(
                &keys,
                d,
                "v2-from21.apk",
                (21, 34),
                "rsa",
                &[
                    "--v1-signing-enabled",
                    "false",
                    "--v3-signing-enabled",
                    "false",
                ],
            ),
        ),
        (
            "v3 only, from SDK 24",
            sign(
                &keys,
                d,
                "v3-from24.apk",
                (24, 34),
                "ec",
                &[
                    "--v1-signing-enabled",
                    "false",
                    "--v2-signing-enabled",
                    "false",
                    "--v3-signing-enabled",
                    "true",
                ],
            ),
        ),
    ];
    // A rotated key: RSA, then EC, with the lineage apksigner rotate writes.
    let rotated = rotated_apk(&keys, d, 28);
    cases.push(("rotated RSA → EC", rotated.clone()));
    // The attacks.
    let all = d.join("all.apk");
    let bytes = std::fs::read(&all).unwrap();
    let mut flipped = bytes.clone();
    // A byte of classes.dex's stored data, well inside the first entries.
    flipped[400] ^= 0x01;
    std::fs::write(d.join("tampered.apk"), &flipped).unwrap();
    cases.push(("tampered (a byte flipped)", d.join("tampered.apk")));
    std::fs::write(d.join("truncated.apk"), &bytes[..bytes.len() / 2]).unwrap();
    cases.push(("truncated", d.join("truncated.apk")));
    let unsigned = d.join("unsigned.apk");
    make_apk(&unsigned, 34);
    cases.push(("unsigned", unsigned.clone()));
    let v12 = sign(
        &keys,
        d,
        "v12.apk",
        (21, 29),
        "rsa",
        &[
            "--v1-signing-enabled",
            "true",
            "--v2-signing-enabled",
            "true",
            "--v3-signing-enabled",
            "false",
        ],
    );
    strip_signing_block(&v12, &d.join("stripped.apk"));
    cases.push(("v2 stripped, v1 left", d.join("stripped.apk")));

    let mut table = Vec::new();
    for (what, apk) in &cases {
        let peer = apksigner(apk);
        let (ours, json, code) = appwacht_says(apk);
        table.push(format!("{what}: apksigner {peer:?}, appwacht {ours:?}"));
        let shown = serde_json::to_string_pretty(&json).unwrap();
        assert_eq!(ours.verifies, peer.verifies, "{what}: {shown}");
        assert_eq!(
            (&ours.sha256, &ours.sha1),
            (&peer.sha256, &peer.sha1),
            "{what}: {shown}"
        );
        // apksigner names the schemes it needed for the platforms the APK installs on (with v3
        // from SDK 28 it does not look at v1 and v2); each must be one this tool verified.
        for s in &peer.schemes {
            assert!(
                ours.schemes.contains(s),
                "{what}: {s} not verified: {shown}"
            );
        }
        // Never shown as validly signed unless it is; the exit status says so.
        assert_eq!(code == 0, peer.verifies, "{what}: exit {code}");
    }
    println!("{}", table.join("\n"));
    let expect_verifies: Vec<bool> = cases.iter().map(|(_, a)| apksigner(a).verifies).collect();
    assert_eq!(
        expect_verifies,
        [
            true, true, true, true, false, false, true, true, false, false, false, false,
        ],
        "the peer's verdicts themselves: {table:#?}"
    );

    // The manifest, read from the compiled XML.
    let (_, json, _) = appwacht_says(&cases[1].1);
    let m = &json["files"][0]["manifest"];
    assert_eq!(m["package"], "com.example.notes");
    assert_eq!(m["version_code"], 42);
    assert_eq!(m["version_name"], "4.2.0");
    assert_eq!(m["min_sdk"], 24);
    assert_eq!(m["target_sdk"], 34);

    // The rotation history: the past RSA signer with its capabilities, then the EC one.
    let (_, json, _) = appwacht_says(&rotated);
    let v3 = json["files"][0]["schemes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scheme"] == "v3")
        .unwrap()
        .clone();
    let history = v3["signers"][0]["lineage"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    let rsa_sha256 = apksigner(&cases[1].1).sha256.unwrap();
    assert_eq!(history[0]["certificate"]["sha256"], rsa_sha256.as_str());
    assert!(
        history[0]["capabilities"]
            .as_array()
            .unwrap()
            .contains(&"installed_data".into())
    );
    assert!(v3["signers"][0]["problems"].as_array().unwrap().is_empty());

    // The stripping is named for what it is.
    let stripped = appwacht(&[
        "apk",
        "inspect",
        &d.join("stripped.apk").display().to_string(),
    ]);
    assert!(stripped.out.contains("it was stripped"), "{}", stripped.out);
    let tampered = appwacht(&[
        "apk",
        "inspect",
        &d.join("tampered.apk").display().to_string(),
    ]);
    assert!(tampered.out.contains("INVALID"), "{}", tampered.out);
    assert!(!tampered.out.contains("VERIFIED"), "{}", tampered.out);
}

#[test]
fn a_publisher_block_from_a_rotated_apk_names_both_keys_and_pastes_into_a_policy() {
    let keys = Keys::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let apk = rotated_apk(&keys, d, 21);
    let apk_arg = apk.display().to_string();
    let run = appwacht(&[
        "apk",
        "inspect",
        &apk_arg,
        "--as-publisher",
        "Voorbeeld Apps B.V.",
        "--country",
        "NL",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.out, run.err);
    assert!(
        run.out.starts_with("[publishers.voorbeeld-apps-b-v]\n"),
        "{}",
        run.out
    );
    assert!(
        run.out.contains("(past signer, before key rotation)"),
        "{}",
        run.out
    );
    assert_eq!(run.out.matches("\", #").count(), 2, "{}", run.out);
    assert!(run.out.contains("packages = [\"com.example.notes\"]"));
    // Pasted into a policy with a rule on the publisher, the policy checks.
    let policy = d.join("policy.toml");
    std::fs::write(
        &policy,
        complete_snippet(&format!(
            "{}\n[[rules]]\nid = \"voorbeeld\"\neffect = \"deny\"\naction = \"suspend\"\nmatch = {{ publishers = [\"voorbeeld-apps-b-v\"] }}\n",
            run.out
        )),
    )
    .unwrap();
    let check = appwacht(&["policy", "check", &policy.display().to_string()]);
    assert_eq!(check.code, 0, "{}{}", check.out, check.err);

    // An APK that is not validly signed never gives a publisher block.
    let unsigned = d.join("unsigned.apk");
    make_apk(&unsigned, 34);
    let refused = appwacht(&[
        "apk",
        "inspect",
        &unsigned.display().to_string(),
        "--as-publisher",
        "X",
        "--country",
        "NL",
    ]);
    assert_eq!(refused.code, appwacht_cli::EXIT_INVALID);
    assert!(!refused.out.contains("[publishers."), "{}", refused.out);
}

/// A split APK set is read as one app: the base and its splits (as files, or as the `.apks`
/// archive bundletool writes), all of one package and one signer. A split signed by someone else
/// (a configuration split swapped in) makes the set invalid.
#[test]
fn a_split_apk_set_is_one_app_and_a_split_signed_by_another_key_is_refused() {
    let keys = Keys::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = sign(&keys, d, "base.apk", (24, 34), "rsa", &[]);
    let split = |name: &str, key: &str| -> PathBuf {
        let apk = d.join(name);
        ok(Command::new("python3")
            .arg(root().join("tests/peers/make_apk.py"))
            .arg(&apk)
            .args([
                "com.example.notes",
                "42",
                "4.2.0",
                "24",
                "34",
                "0",
                "config.xxhdpi",
            ]));
        apksign(&keys, key, &apk, &[]);
        apk
    };
    let good = split("split_config.xxhdpi.apk", "rsa");
    let other = split("split_other.apk", "ec");
    let p = |x: &Path| x.display().to_string();
    let set = appwacht(&["apk", "inspect", &p(&base), &p(&good)]);
    assert_eq!(set.code, 0, "{}", set.out);
    assert!(set.out.contains("split config.xxhdpi"), "{}", set.out);
    let mixed = appwacht(&["apk", "inspect", &p(&base), &p(&other)]);
    assert_eq!(mixed.code, appwacht_cli::EXIT_INVALID, "{}", mixed.out);
    assert!(
        mixed.out.contains("not signed by the same certificates"),
        "{}",
        mixed.out
    );
    // The same set as an .apks archive (bundletool's `splits/` layout).
    let archive = d.join("notes.apks");
    let script = r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.write(sys.argv[2], "splits/base-master.apk")
    z.write(sys.argv[3], "splits/base-xxhdpi.apk")
    z.writestr("toc.pb", b"")
"#;
    ok(Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&archive)
        .arg(&base)
        .arg(&good));
    let apks = appwacht(&["apk", "inspect", "--json", &p(&archive)]);
    assert_eq!(apks.code, 0, "{}{}", apks.out, apks.err);
    let v: serde_json::Value = serde_json::from_str(&apks.out).unwrap();
    assert_eq!(v["files"].as_array().unwrap().len(), 2);
    assert_eq!(v["verified"], true);
}

/// Input that is not what it claims: the signed APK with a byte flipped at 30 places across the
/// file, and cut short at 10. The tool never panics, never calls a cut file validly signed, and
/// calls a changed one validly signed only where apksigner does too (a byte of the signing
/// block's padding, which no signature covers: apksigner pads the block to 4 KiB).
#[test]
fn a_changed_or_cut_apk_is_never_shown_as_validly_signed_unless_apksigner_agrees() {
    let keys = Keys::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let apk = sign(&keys, d, "all.apk", (21, 34), "ec", &[]);
    let bytes = std::fs::read(&apk).unwrap();
    let changed = d.join("changed.apk");
    let mut agreed = 0;
    for k in 0..30 {
        let at = k * (bytes.len() - 1) / 29;
        let mut b = bytes.clone();
        b[at] ^= 0x20;
        std::fs::write(&changed, &b).unwrap();
        let (ours, json, _) = appwacht_says(&changed);
        if ours.verifies {
            let peer = apksigner(&changed);
            assert!(
                peer.verifies,
                "byte {at}: shown as validly signed, apksigner disagrees: {json}"
            );
            agreed += 1;
        }
    }
    // A small APK is mostly signing block (apksigner pads it to 4 KiB): many flips land in padding.
    assert!(
        agreed < 20,
        "{agreed} of 30 changed files still verified: the check is not biting"
    );
    for k in 1..=10 {
        let cut = bytes.len() * k / 11;
        std::fs::write(&changed, &bytes[..cut]).unwrap();
        let (ours, json, code) = appwacht_says(&changed);
        assert!(!ours.verifies && code != 0, "cut at {cut}: {json}");
    }
}

/// Issue 16.2: an audit that verifies instead of guessing. The fake `adb` answers as the phone of
/// `tests/dumps/android13-dumpsys-package.txt` and serves real APKs signed with apksigner. Its
/// WhatsApp is signed by a key the policy denies (the dump's 32-bit hash could not tell); the
/// "ByteDance" video player only collided with ByteDance's hash (its full certificate is someone
/// else's: only the side-loading rule still holds it); WeChat's APK was changed after signing; TikTok's cannot be pulled.
#[test]
fn audit_pull_verifies_signers_by_full_digest_from_the_phones_apks() {
    let keys = Keys::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let apks = d.join("served");
    std::fs::create_dir_all(&apks).unwrap();
    let serve = |package: &str, key: &str| -> PathBuf {
        let apk = apks.join(format!("{package}.apk"));
        ok(Command::new("python3")
            .arg(root().join("tests/peers/make_apk.py"))
            .arg(&apk)
            .args([package, "7", "1.0", "24", "34"]));
        apksign(&keys, key, &apk, &[]);
        apk
    };
    serve("com.whatsapp", "ec");
    serve("com.fastvideo.player.clips", "rsa");
    serve("nl.voorbeeld.werkmail", "rsa");
    let wechat = serve("com.tencent.mm", "rsa");
    let mut b = std::fs::read(&wechat).unwrap();
    b[300] ^= 0x01;
    std::fs::write(&wechat, b).unwrap();
    // The fake adb: pm list and dumpsys from the saved phone, pm path and pull from `served/`.
    let bin = d.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = d.join("adb.log");
    let dumps = root().join("tests/dumps");
    let script = format!(
        r#"#!/bin/sh
echo "$*" >> '{log}'
[ "$1" = "-s" ] && shift 2
case "$1 $2 $3" in
  "shell pm list") cat '{dumps}/android13-pm-list-packages.txt' ;;
  "shell dumpsys package") cat '{dumps}/android13-dumpsys-package.txt' ;;
  "shell pm path") echo "package:/data/app/~~Xk2/$4-1/base.apk" ;;
  *)
    if [ "$1" = "pull" ]; then
      p=$(echo "$2" | sed 's#.*/\([^/]*\)-1/base.apk#\1#')
      [ -f '{apks}'/"$p.apk" ] || {{ echo "adb: error: failed to stat remote object '$2': No such file or directory" >&2; exit 1; }}
      cp '{apks}'/"$p.apk" "$3"
    elif [ "$1" = "exec-out" ]; then
      exit 1
    else
      echo "adb: unexpected $*" >&2; exit 1
    fi ;;
esac
"#,
        log = log.display(),
        dumps = dumps.display(),
        apks = apks.display(),
    );
    std::fs::write(bin.join("adb"), script).unwrap();
    ok(Command::new("chmod").arg("+x").arg(bin.join("adb")));
    // The policy: the audit's, and a rule on the EC key's certificate, named by its SHA-1 as an
    // indicator feed names it (only a pulled APK gives the audit a SHA-1).
    let ec = apksigner(&apks.join("com.whatsapp.apk"));
    let (ec_sha256, ec_sha1) = (ec.sha256.unwrap(), ec.sha1.unwrap());
    let mut policy = std::fs::read_to_string(dumps.join("audit-policy.toml")).unwrap();
    policy.push_str(&format!(
        "\n[[rules]]\nid = \"leaked-key\"\neffect = \"deny\"\naction = \"suspend\"\nmatch = {{ signers = [\"{ec_sha1}\"] }}\n"
    ));
    let policy_file = d.join("policy.toml");
    std::fs::write(&policy_file, policy).unwrap();
    let saved = d.join("saved");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(appwacht_binary())
        .args(["--json", "audit", "--adb", "--pull", "suspects", "--save"])
        .arg(&saved)
        .arg("--policy")
        .arg(&policy_file)
        .env("PATH", &path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{stderr}", String::from_utf8_lossy(&out.stdout)));
    let line = |p: &str| {
        v["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["decision"]["package"] == p)
            .unwrap()
            .clone()
    };
    // WhatsApp: verified by full digest from its APK, and a violation the hash could not show.
    let whatsapp = line("com.whatsapp");
    assert_eq!(whatsapp["signer"]["check"], "by_digest", "{whatsapp}");
    assert_eq!(whatsapp["signer"]["certificates"][0], ec_sha256.as_str());
    assert!(
        whatsapp["signer"]["verified_from"]
            .as_str()
            .unwrap()
            .starts_with("pulled APK")
    );
    assert_eq!(whatsapp["decision"]["outcome"], "denied");
    assert_eq!(whatsapp["decision"]["rule"], "leaked-key");
    // The video player only collided with ByteDance's 32-bit hash: by digest it is not ByteDance.
    let player = line("com.fastvideo.player.clips");
    assert_eq!(player["signer"]["check"], "by_digest", "{player}");
    assert_eq!(
        player["decision"]["rule"], "sideloaded",
        "no longer the ByteDance rule, only its side-loading: {player}"
    );
    // WeChat's APK was changed after signing: no signer is taken from it, and it says why.
    let wechat = line("com.tencent.mm");
    assert_eq!(wechat["signer"]["check"], "by_hash", "{wechat}");
    assert!(
        wechat["signer"]["pull_problem"]
            .as_str()
            .unwrap()
            .contains("not validly signed"),
        "{wechat}"
    );
    // TikTok's APK could not be pulled: the hash's judgement stands, with the reason.
    let tiktok = line("com.zhiliaoapp.musically");
    assert!(
        tiktok["signer"]["pull_problem"]
            .as_str()
            .unwrap()
            .contains("could not be pulled"),
        "{tiktok}"
    );
    assert_eq!(tiktok["decision"]["outcome"], "denied");
    // System apps the policy names no certificate for are not pulled; the commands were adb's.
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("shell pm path com.whatsapp"), "{log}");
    assert!(
        log.contains("pull /data/app/~~Xk2/com.whatsapp-1/base.apk"),
        "{log}"
    );
    assert!(!log.contains("pm path com.android.settings"), "{log}");
    // Kept with --save, beside the dump.
    assert!(saved.join("apks/com.whatsapp/base.apk").exists());
    assert!(saved.join("dumpsys-package.txt").exists());
    // The text says how each signer was known.
    let text = Command::new(appwacht_binary())
        .args(["audit", "--adb", "--pull", "suspects", "--policy"])
        .arg(&policy_file)
        .env("PATH", &path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("verified by full digest, pulled APK"),
        "{text}"
    );
    assert!(
        text.contains("the pulled APK: not validly signed"),
        "{text}"
    );
    assert!(
        text.contains("verified by their full certificate SHA-256 (the APKs pulled from the phone"),
        "{text}"
    );
}
