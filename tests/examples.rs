//! The built-in example: the policy covers the seed list, the phone is what the demo needs.

use std::collections::HashSet;

use agent_core::policy::authoring;
use agent_core::{CertDigest, Inventory};
use appwacht_tests::*;

fn example_policy() -> agent_core::Policy {
    let text = std::fs::read_to_string(root().join("examples/policy.toml")).unwrap();
    authoring::compile("examples/policy.toml", &text, now()).unwrap()
}

#[test]
fn the_example_policy_covers_every_package_and_certificate_of_the_seed_list() {
    let policy = example_policy();
    let names: HashSet<&str> = policy
        .publishers
        .values()
        .flat_map(|p| p.packages.iter().map(String::as_str))
        .collect();
    let certs: HashSet<String> = policy
        .publishers
        .values()
        .flat_map(|p| p.certificates.iter().map(ToString::to_string))
        .collect();
    let tsv = std::fs::read_to_string(test_data().join("seed-apps.tsv"))
        .expect("tests/data/seed-apps.tsv");
    let mut rows = 0;
    for line in tsv.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let cells: Vec<&str> = line.split('\t').collect();
        let (app, country, packages, cert) = (cells[0], cells[2], cells[3], cells[4]);
        assert_eq!(country, "CN", "{app}");
        for p in packages.split(',') {
            assert!(
                names.contains(p),
                "{app}: package {p} is missing from examples/policy.toml"
            );
        }
        if !cert.is_empty() {
            assert!(
                certs.contains(cert),
                "{app}: certificate {cert} is missing from examples/policy.toml"
            );
        }
        rows += 1;
    }
    assert!(rows >= 14, "read only {rows} seed apps");
}

#[test]
fn the_seed_certificates_hash_to_the_listed_digests() {
    let dir = test_data().join("seed-certs");
    for (file, want) in [
        (
            "com.zhiliaoapp.musically.der",
            "9041803e91bcb814b4b4399fb5c85a91640b755e5e8ba76813814bf4cf2ab5ba",
        ),
        (
            "com.ss.android.ugc.trill.der",
            "d7811ec4166fea6cc720ba66699dc84b584ac9e6986613a76d4e43d8cbe32b27",
        ),
        (
            "com.tencent.mm.der",
            "0fe4ff85c215918396dadc7cd8ce6963339af33d37751a56e54c7206b63a3c7c",
        ),
    ] {
        let der = std::fs::read(dir.join(file)).unwrap();
        assert_eq!(CertDigest::of_der(&der).to_string(), want, "{file}");
    }
}

#[test]
fn the_example_phone_has_what_the_demo_shows() {
    let bytes = std::fs::read(root().join("examples/phone.json")).unwrap();
    let phone = Inventory::from_json("examples/phone.json", &bytes).unwrap();
    assert!(
        (190..=260).contains(&phone.packages.len()),
        "{}",
        phone.packages.len()
    );
    assert!(phone.packages.iter().filter(|p| p.system).count() >= 50);
    let clone = phone
        .package("com.videoedit.promax")
        .expect("the re-packaged clone");
    assert_eq!(
        clone.signers[0].to_string(),
        "9041803e91bcb814b4b4399fb5c85a91640b755e5e8ba76813814bf4cf2ab5ba"
    );
    assert!(phone.package("com.tencent.mm").is_some());
    assert!(phone.device.groups.contains(&"inspection".to_string()));
}

#[test]
fn a_malformed_inventory_names_file_line_and_column() {
    let err = Inventory::from_json("phone.json", b"{\"device\": {\"id\": \"x\"},\n \"packages\": [{\"name\": \"a\", \"version_code\": \"one\"}]}")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("phone.json") && err.contains("line 2"),
        "{err}"
    );
    let twice = serde_json::json!({"device": {"id": "x"}, "packages": [
        {"name": "a", "version_code": 1, "first_install": "2026-01-01T00:00:00Z", "last_update": "2026-01-01T00:00:00Z"},
        {"name": "a", "version_code": 1, "first_install": "2026-01-01T00:00:00Z", "last_update": "2026-01-01T00:00:00Z"}]});
    let err = Inventory::from_json("phone.json", twice.to_string().as_bytes())
        .unwrap_err()
        .to_string();
    assert!(err.contains("package `a` is listed twice"), "{err}");
}

/// `docs/TRUST.md` maps each attack to the tests that show the defence; every test it names exists.
#[test]
fn every_test_named_in_the_trust_document_exists() {
    let doc = std::fs::read_to_string(root().join("docs/TRUST.md")).unwrap();
    let table = &doc[doc
        .find("## The attacks and their tests")
        .expect("the attack table")..];
    let mut sources = String::new();
    for entry in std::fs::read_dir(root().join("tests")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            sources.push_str(&format!(
                "\n//FILE {}\n",
                path.file_stem().unwrap().to_string_lossy()
            ));
            sources.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    let mut named = 0;
    for name in table.split('`').skip(1).step_by(2).filter(|n| {
        n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == ':')
    }) {
        let (module, test) = name
            .split_once("::")
            .map_or(("trust", name), |(m, t)| (m, t));
        let file_start = sources
            .find(&format!("//FILE {module}\n"))
            .unwrap_or_else(|| panic!("no tests/{module}.rs for `{name}`"));
        let file = &sources[file_start..];
        let file = &file[..file[8..].find("//FILE ").map_or(file.len(), |e| e + 8)];
        assert!(
            // `fn name(` also finds property tests, whose arguments are strategies.
            file.contains(&format!("fn {test}(")),
            "docs/TRUST.md names `{name}`, which is not a test in tests/{module}.rs"
        );
        named += 1;
    }
    assert!(named >= 35, "only {named} tests named");
}
