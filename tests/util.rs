//! Helpers for Appwacht's end-to-end tests: fixed times, package builders, policies from TOML
//! snippets, and the `appwacht` tool run in-process.

use std::path::PathBuf;

use agent_core::policy::authoring;
use agent_core::{CertDigest, Device, Enrolment, Inventory, Package, Policy, Span, Timestamp};

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The shared reference folder (`../shared/reference` from the root).
pub fn shared_reference() -> PathBuf {
    root().join("../shared/reference")
}

/// The tests' fixed "now": 2026-11-22T12:00:00Z.
pub fn now() -> Timestamp {
    Timestamp::parse("2026-11-22T12:00:00Z").expect("fixed time")
}

/// `now` plus a span written like `72h`.
pub fn later(span: &str) -> Timestamp {
    now().plus(Span::parse(span).expect("span"))
}

/// A digest of 32 bytes `byte` (two hex digits), as the docs' tables write them.
pub fn digest(byte: &str) -> CertDigest {
    CertDigest::parse(&byte.repeat(32)).expect("digest")
}

/// A user app from Play, signed by `00`×32, version 1, not blocked.
pub fn app(name: &str) -> Package {
    Package {
        name: name.to_string(),
        version_code: 1,
        version_name: "1.0".into(),
        installer: Some("com.android.vending".into()),
        system: false,
        signers: vec![digest("00")],
        signing_history: vec![],
        first_install: now(),
        last_update: now(),
        suspended: false,
        hidden: false,
    }
}

/// A system app without installer.
pub fn system_app(name: &str) -> Package {
    Package {
        system: true,
        installer: None,
        ..app(name)
    }
}

/// An inventory of these packages on a device in these groups.
pub fn inventory(groups: &[&str], packages: Vec<Package>) -> Inventory {
    Inventory {
        device: Device {
            id: "TEST-1".into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            sdk: 34,
        },
        packages,
    }
}

/// An enrolment in these groups.
pub fn enrolment(groups: &[&str]) -> Enrolment {
    Enrolment::in_groups(groups.iter().map(|g| g.to_string()).collect())
}

/// Completes a TOML snippet with the docs' common header and, unless it has one, an allowing default.
pub fn complete_snippet(snippet: &str) -> String {
    let mut text =
        format!("organisation = \"Example\"\nversion = 1\nmode = \"enforce\"\n{snippet}");
    if !snippet.contains("[default]") {
        text.push_str("\n[default]\neffect = \"allow\"\n");
    }
    text
}

/// A policy from a snippet (see [`complete_snippet`]), validated but with expiries not judged.
pub fn policy(snippet: &str) -> Policy {
    match authoring::parse("snippet.toml", &complete_snippet(snippet)) {
        Ok(p) => p,
        Err(e) => panic!("snippet does not compile:\n{e}\n---\n{snippet}"),
    }
}

/// The compiled JSON of a snippet policy with this version and mode.
pub fn policy_json(snippet: &str, version: u64, mode: agent_core::Mode) -> Vec<u8> {
    let mut p = policy(snippet);
    p.version = version;
    p.mode = mode;
    p.to_json()
}

/// What a run of the tool gave.
pub struct Run {
    /// Exit status.
    pub code: i32,
    /// Standard output.
    pub out: String,
    /// Standard error.
    pub err: String,
}

/// Runs `appwacht` in-process with these arguments.
pub fn appwacht(args: &[&str]) -> Run {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv = std::iter::once("appwacht").chain(args.iter().copied());
    let code = appwacht_cli::run(argv, &mut out, &mut err);
    Run {
        code,
        out: String::from_utf8_lossy(&out).into_owned(),
        err: String::from_utf8_lossy(&err).into_owned(),
    }
}
