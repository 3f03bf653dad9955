//! The administrator's side of signed policies: keys, roots, signing, publishing.

use std::io::Write;
use std::path::{Path, PathBuf};

use agent_core::policy::authoring;
use agent_core::trust::{Envelope, POLICY_TYPE, ROOT_TYPE};
use agent_core::trust::{KeyType, PrivateKey, PublicKey};
use agent_core::trust::{RoleName, Root, verify_initial, verify_policy, verify_successor};
use agent_core::{Span, Timestamp};

use crate::commands::{read, write_atomically};
use crate::{EXIT_INVALID, Failure};

fn text(path: &Path, what: &str) -> Result<String, Failure> {
    String::from_utf8(read(path, what)?)
        .map_err(|_| Failure::new(format!("the {what} {} is not text", path.display())))
}

/// Reads a private key file, naming the file in every error.
pub(crate) fn load_private(path: &Path) -> Result<PrivateKey, Failure> {
    PrivateKey::parse(&text(path, "private key")?)
        .map_err(|e| Failure::new(format!("{}: {e}", path.display())))
}

fn load_public(path: &Path) -> Result<PublicKey, Failure> {
    let t = text(path, "public key")?;
    match PublicKey::parse(&t) {
        Ok(k) => Ok(k),
        // A private key where a public one is asked for is refused: a private key that travels to
        // whoever builds the root is a private key exposed.
        Err(e) => match PrivateKey::parse(&t) {
            Ok(_) => Err(Failure::new(format!(
                "{} is a private key: give its public half (the .pub file `appwacht keys generate` wrote beside it), and keep the private key where it is",
                path.display()
            ))),
            Err(_) => Err(Failure::new(format!("{}: {e}", path.display()))),
        },
    }
}

fn load_envelope(path: &Path, what: &str) -> Result<(Vec<u8>, Envelope), Failure> {
    let bytes = read(path, what)?;
    let envelope =
        Envelope::parse(&bytes).map_err(|e| invalid(format!("{}: {e}", path.display())))?;
    Ok((bytes, envelope))
}

/// What an admin command did, for `--json`: recorded as it goes, printed instead of the text.
pub(crate) type Facts = serde_json::Map<String, serde_json::Value>;

fn fact(facts: &mut Facts, key: &str, value: impl serde::Serialize) {
    facts.insert(
        key.to_string(),
        serde_json::to_value(value).unwrap_or_default(),
    );
}

fn invalid(message: String) -> Failure {
    Failure {
        message,
        code: EXIT_INVALID,
    }
}

fn parse_span(text: &str, flag: &str) -> Result<Span, Failure> {
    Span::parse(text).map_err(|e| Failure::new(format!("{flag}: {e}")))
}

pub(crate) fn keys_generate(
    kind: &str,
    dir: &Path,
    name: &str,
    out: &mut dyn Write,
    facts: &mut Facts,
) -> Result<i32, Failure> {
    // Any case: `Ed25519` and `P256` are how people write them.
    let kind = KeyType::parse(&kind.to_ascii_lowercase()).ok_or_else(|| {
        Failure::new(format!(
            "--type: `{kind}` is not a key type; use ed25519 or p256"
        ))
    })?;
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::new(format!("cannot create {}: {e}", dir.display())))?;
    let private_path = dir.join(format!("{name}.key"));
    let public_path = dir.join(format!("{name}.pub"));
    for p in [&private_path, &public_path] {
        if p.exists() {
            return Err(Failure::new(format!(
                "{} already exists; choose another --name or directory (keys are never overwritten)",
                p.display()
            )));
        }
    }
    let key = PrivateKey::generate(kind).map_err(|e| Failure::new(e.to_string()))?;
    // tempfile creates files readable by the owner only (0600), and the rename keeps that.
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| Failure::new(format!("cannot write in {}: {e}", dir.display())))?;
    tmp.write_all(key.to_pem().as_bytes())
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Failure::new(format!("cannot write the key: {e}")))?;
    tmp.persist_noclobber(&private_path).map_err(|e| {
        Failure::new(format!(
            "cannot write {}: {}",
            private_path.display(),
            e.error
        ))
    })?;
    write_atomically(&public_path, key.public().to_pem().as_bytes())?;
    fact(facts, "type", kind.to_string());
    fact(facts, "key_id", key.public().key_id());
    fact(facts, "private", private_path.display().to_string());
    fact(facts, "public", public_path.display().to_string());
    writeln!(
        out,
        "{} key {}\n  private: {} (readable by you only)\n  public:  {}",
        kind,
        key.public().key_id(),
        private_path.display(),
        public_path.display()
    )?;
    Ok(0)
}

/// The key material and thresholds for a root, as given on the command line.
pub(crate) struct RootSpec<'a> {
    pub organisation: Option<&'a str>,
    pub root_keys: &'a [PathBuf],
    pub root_threshold: Option<usize>,
    pub policy_keys: &'a [PathBuf],
    pub policy_threshold: Option<usize>,
    pub expires: &'a str,
    pub policy_floor: Option<u64>,
}

fn write_root(
    root: &Root,
    dest: &Path,
    out: &mut dyn Write,
    facts: &mut Facts,
) -> Result<i32, Failure> {
    root.validate().map_err(|e| invalid(e.to_string()))?;
    write_atomically(dest, &root.to_envelope().to_json())?;
    fact(facts, "file", dest.display().to_string());
    fact(facts, "organisation", &root.organisation);
    fact(facts, "version", root.version);
    fact(facts, "root_keys", &root.roles.root.keyids);
    fact(facts, "root_threshold", root.roles.root.threshold);
    fact(facts, "policy_keys", &root.roles.policy.keyids);
    fact(facts, "policy_threshold", root.roles.policy.threshold);
    fact(facts, "expires", root.expires.to_string());
    fact(facts, "signatures", 0);
    writeln!(
        out,
        "root version {} for {} written to {} (unsigned: now sign it with `appwacht root sign`)",
        root.version,
        root.organisation,
        dest.display()
    )?;
    writeln!(
        out,
        "  root keys: {} of {}; policy keys: {} of {}; expires {}",
        root.roles.root.threshold,
        root.roles.root.keyids.len(),
        root.roles.policy.threshold,
        root.roles.policy.keyids.len(),
        root.expires
    )?;
    Ok(0)
}

/// The keys named on the command line, or, when none are, `fallback`'s.
fn keys_or(
    paths: &[PathBuf],
    fallback: impl FnOnce() -> Result<Vec<PublicKey>, Failure>,
) -> Result<Vec<PublicKey>, Failure> {
    if paths.is_empty() {
        fallback()
    } else {
        paths.iter().map(|p| load_public(p)).collect()
    }
}

/// Builds a root from the command line's keys and thresholds.
fn build_root(
    organisation: &str,
    version: u64,
    spec: &RootSpec<'_>,
    root_keys: &[PublicKey],
    policy_keys: &[PublicKey],
    thresholds: (usize, usize),
) -> Result<Root, Failure> {
    let now = Timestamp::now();
    let mut root = Root::new(
        organisation,
        version,
        now.plus(parse_span(spec.expires, "--expires")?),
        &root_keys.iter().collect::<Vec<_>>(),
        spec.root_threshold.unwrap_or(thresholds.0),
        &policy_keys.iter().collect::<Vec<_>>(),
        spec.policy_threshold.unwrap_or(thresholds.1),
        spec.policy_floor.unwrap_or(0),
    );
    // A signed time: devices' time floors may advance from it.
    root.issued_at = Some(now);
    Ok(root)
}

pub(crate) fn root_init(
    spec: RootSpec<'_>,
    dest: &Path,
    force: bool,
    out: &mut dyn Write,
    facts: &mut Facts,
) -> Result<i32, Failure> {
    let organisation = spec
        .organisation
        .ok_or_else(|| Failure::new("--organisation is required"))?;
    if dest.exists() && !force {
        return Err(Failure::new(format!(
            "{} exists: a root that phones already pin would be lost; choose another --out, or replace it with --force",
            dest.display()
        )));
    }
    let missing = || {
        Err(Failure::new(
            "a root needs at least one --root-key and one --policy-key",
        ))
    };
    let root_keys = keys_or(spec.root_keys, missing)?;
    let policy_keys = keys_or(spec.policy_keys, missing)?;
    if root_keys.len() > 1 && spec.root_threshold.is_none() {
        return Err(Failure::new(format!(
            "give --root-threshold: with {} root keys, how many must sign the next root? (without it any one key could; {} of {} is usual)",
            root_keys.len(),
            root_keys.len() / 2 + 1,
            root_keys.len()
        )));
    }
    let root = build_root(organisation, 1, &spec, &root_keys, &policy_keys, (1, 1))?;
    write_root(&root, dest, out, facts)
}

fn unverified_root(envelope: &Envelope, path: &Path) -> Result<Root, Failure> {
    if envelope.payload_type != ROOT_TYPE {
        return Err(invalid(format!(
            "{}: not a root document (payload type {})",
            path.display(),
            envelope.payload_type
        )));
    }
    let payload = envelope
        .payload_bytes()
        .map_err(|e| invalid(format!("{}: {e}", path.display())))?;
    serde_json::from_slice(&payload)
        .map_err(|e| invalid(format!("{}: not a root document: {e}", path.display())))
}

pub(crate) fn root_rotate(
    from: &Path,
    spec: RootSpec<'_>,
    dest: &Path,
    out: &mut dyn Write,
    facts: &mut Facts,
) -> Result<i32, Failure> {
    let (_, envelope) = load_envelope(from, "previous root")?;
    let previous = unverified_root(&envelope, from)?;
    let previous_keys = |name| previous.role_keys(name).map_err(|e| invalid(e.to_string()));
    let root_keys = keys_or(spec.root_keys, || previous_keys(RoleName::Root))?;
    let policy_keys = keys_or(spec.policy_keys, || previous_keys(RoleName::Policy))?;
    let thresholds = (
        previous.roles.root.threshold,
        previous.roles.policy.threshold,
    );
    let root = build_root(
        &previous.organisation,
        previous.version + 1,
        &spec,
        &root_keys,
        &policy_keys,
        thresholds,
    )?;
    fact(
        facts,
        "policy_keys_change",
        root.policy_keys_differ(&previous),
    );
    fact(facts, "policy_version_floor", root.policy_version_floor);
    if root.policy_keys_differ(&previous) {
        writeln!(
            out,
            "the policy keys change: devices will reset their policy-version floor to {}",
            root.policy_version_floor
        )?;
    }
    write_root(&root, dest, out, facts)
}

pub(crate) fn root_sign(
    file: &Path,
    keys: &[PathBuf],
    out: &mut dyn Write,
    facts: &mut Facts,
) -> Result<i32, Failure> {
    let (_, mut envelope) = load_envelope(file, "root")?;
    let root = unverified_root(&envelope, file)?;
    let own = root
        .role_keys(RoleName::Root)
        .map_err(|e| invalid(e.to_string()))?;
    let loaded = keys
        .iter()
        .map(|p| load_private(p))
        .collect::<Result<Vec<_>, _>>()?;
    // Version 1 has no previous root: a signature by a key that is not one of its own root keys
    // counts for nothing, so it is a mistake (the wrong key file), not a signature.
    if root.version == 1
        && let Some((path, key)) = keys
            .iter()
            .zip(&loaded)
            .find(|(_, k)| !own.contains(k.public()))
    {
        return Err(invalid(format!(
            "{} ({}) is not a root key of root version 1: its signature would count for nothing; sign with one of the keys the root names",
            path.display(),
            key.public().key_id()
        )));
    }
    for key in &loaded {
        envelope
            .sign(key)
            .map_err(|e| Failure::new(e.to_string()))?;
        let note = if own.contains(key.public()) {
            ""
        } else {
            " (not a root key of this version: fine if it is one of the previous root's)"
        };
        writeln!(
            out,
            "signed root version {} with {}{note}",
            root.version,
            key.public().key_id()
        )?;
    }
    write_atomically(file, &envelope.to_json())?;
    fact(facts, "file", file.display().to_string());
    fact(facts, "version", root.version);
    let signed: Vec<serde_json::Value> = loaded
        .iter()
        .map(|k| {
            serde_json::json!({"key_id": k.public().key_id(), "root_key_of_this_version": own.contains(k.public())})
        })
        .collect();
    fact(facts, "signed_with", signed);
    fact(facts, "signatures", envelope.signatures.len());
    writeln!(
        out,
        "{} now carries {} signature(s)",
        file.display(),
        envelope.signatures.len()
    )?;
    Ok(0)
}

pub(crate) fn root_combine(
    files: &[PathBuf],
    dest: &Path,
    out: &mut dyn Write,
    facts: &mut Facts,
) -> Result<i32, Failure> {
    let mut combined: Option<Envelope> = None;
    for f in files {
        let (_, e) = load_envelope(f, "root")?;
        match &mut combined {
            None => combined = Some(e),
            Some(c) => {
                if c.payload != e.payload || c.payload_type != e.payload_type {
                    return Err(invalid(format!(
                        "{} holds a different document from {}: only signatures of the same root can be combined",
                        f.display(),
                        files[0].display()
                    )));
                }
                for s in e.signatures {
                    if !c.signatures.contains(&s) {
                        c.signatures.push(s);
                    }
                }
            }
        }
    }
    let c = combined.ok_or_else(|| Failure::new("name the signed copies to combine"))?;
    write_atomically(dest, &c.to_json())?;
    fact(facts, "file", dest.display().to_string());
    fact(facts, "signatures", c.signatures.len());
    writeln!(
        out,
        "{} carries {} signature(s)",
        dest.display(),
        c.signatures.len()
    )?;
    Ok(0)
}

pub(crate) fn root_verify(
    file: &Path,
    previous: Option<&Path>,
    out: &mut dyn Write,
    facts: &mut Facts,
) -> Result<i32, Failure> {
    fact(facts, "file", file.display().to_string());
    let (bytes, envelope) = load_envelope(file, "root")?;
    let claimed = unverified_root(&envelope, file)?;
    if previous.is_none() && claimed.version > 1 {
        // Devices accept version N+1 only when version N's root keys signed it too; without the
        // previous root that cannot be checked here, so this is no "valid".
        let own = verify_initial(&bytes, &claimed.organisation)
            .map_err(|e| invalid(format!("{}: {e}", file.display())))?;
        fact(facts, "valid", false);
        fact(facts, "version", own.version);
        fact(facts, "organisation", &own.organisation);
        fact(facts, "expires", own.expires.to_string());
        fact(
            facts,
            "not_checked",
            format!(
                "that root version {}'s keys signed it too (give --previous)",
                own.version - 1
            ),
        );
        writeln!(
            out,
            "{}: root version {} for {} is signed by a threshold of its own root keys, expires {}\n  NOT checked: that root version {}'s keys signed it too, which every device requires; run again with --previous root.{}.json",
            file.display(),
            own.version,
            own.organisation,
            own.expires,
            own.version - 1,
            own.version - 1
        )?;
        return Ok(crate::EXIT_INVALID);
    }
    let root = match previous {
        None => verify_initial(&bytes, &claimed.organisation),
        Some(p) => {
            let (pbytes, penv) = load_envelope(p, "previous root")?;
            let prev_claimed = unverified_root(&penv, p)?;
            let prev = verify_initial(&pbytes, &prev_claimed.organisation)
                .map_err(|e| invalid(format!("{}: {e}", p.display())))?;
            verify_successor(&prev, &bytes)
        }
    }
    .map_err(|e| invalid(format!("{}: {e}", file.display())))?;
    fact(facts, "valid", true);
    fact(facts, "version", root.version);
    fact(facts, "organisation", &root.organisation);
    fact(facts, "expires", root.expires.to_string());
    fact(facts, "checked_against_previous", previous.is_some());
    writeln!(
        out,
        "{}: valid root version {} for {}, expires {}",
        file.display(),
        root.version,
        root.organisation,
        root.expires
    )?;
    Ok(0)
}

pub(crate) struct SignArgs<'a> {
    pub file: &'a Path,
    pub keys: &'a [PathBuf],
    pub expires: &'a str,
    pub version: Option<u64>,
    pub groups: &'a [String],
    pub dest: &'a Path,
    pub root: Option<&'a Path>,
    pub published: Option<&'a Path>,
    pub allow_warnings: bool,
    pub emm: &'a [String],
}

/// The policy inside a signed envelope, read without checking its signature: enough to know
/// which version is live. (Trust is checked where it matters: by `publish` and by devices.)
fn unverified_policy(path: &Path, what: &str) -> Result<agent_core::Policy, Failure> {
    let (_, e) = load_envelope(path, what)?;
    let payload = e
        .payload_bytes()
        .map_err(|e| invalid(format!("{}: {e}", path.display())))?;
    agent_core::Policy::from_json(&payload).map_err(|e| invalid(format!("{}: {e}", path.display())))
}

pub(crate) fn policy_sign(
    a: SignArgs<'_>,
    out: &mut dyn Write,
    facts: &mut Facts,
) -> Result<i32, Failure> {
    let now = Timestamp::now();
    let source = text(a.file, "policy")?;
    let name = a.file.display().to_string();
    let mut policy = authoring::compile(&name, &source, now).map_err(agent_core::Error::from)?;
    let warnings = authoring::warnings(&name, &source, a.emm).map_err(agent_core::Error::from)?;
    if !warnings.is_empty() && !a.allow_warnings {
        return Err(invalid(format!(
            "not signed: {} warning(s) that `policy check --strict` refuses (sign anyway with --allow-warnings):\n{}",
            warnings.len(),
            authoring::CompileErrors(warnings)
        )));
    }
    let keys = a
        .keys
        .iter()
        .map(|p| load_private(p))
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(Failure::new("name at least one --key to sign with"));
    }
    // The version goes above the live one (the published site's) and the last signed file's; a
    // version given by hand must be above the live one, which devices already hold.
    let live = match a.published.map(|d| d.join("policy.json")) {
        Some(site) if site.exists() => {
            Some((unverified_policy(&site, "live policy")?.version, site))
        }
        Some(site) => {
            return Err(Failure::new(format!(
                "--published: {} does not exist (name the directory `publish --out` wrote)",
                site.display()
            )));
        }
        None => None,
    };
    let last_signed = if a.dest.exists() {
        Some(unverified_policy(a.dest, "last signed policy")?.version)
    } else {
        None
    };
    let above = live.as_ref().map(|(v, _)| *v).max(last_signed);
    policy.version = match (a.version, &live) {
        (Some(v), Some((l, from))) if v <= *l => {
            return Err(invalid(format!(
                "--version {v} is not above the live version {l} ({}): devices would refuse it as a rollback or, at the same version, as a changed policy",
                from.display()
            )));
        }
        (Some(v), _) => v,
        (None, _) => match above {
            Some(l) => policy.version.max(
                l.checked_add(1)
                    .ok_or_else(|| Failure::new("the live version is the largest possible"))?,
            ),
            None => policy.version,
        },
    };
    policy.issued_at = Some(now);
    policy.expires = Some(now.plus(parse_span(a.expires, "--expires")?));
    if !a.groups.is_empty() {
        policy.groups = a.groups.to_vec();
    }
    let mut envelope = Envelope::new(POLICY_TYPE, &policy.to_json());
    for k in &keys {
        envelope.sign(k).map_err(|e| Failure::new(e.to_string()))?;
    }
    let bytes = envelope.to_json();
    if let Some(root_path) = a.root {
        let (rbytes, renv) = load_envelope(root_path, "root")?;
        let claimed = unverified_root(&renv, root_path)?;
        let root = verify_initial(&rbytes, &claimed.organisation)
            .map_err(|e| invalid(format!("{}: {e}", root_path.display())))?;
        verify_policy(&root, &bytes).map_err(|e| {
            invalid(format!(
                "the signed policy would not be accepted under {}: {e}",
                root_path.display()
            ))
        })?;
    }
    write_atomically(a.dest, &bytes)?;
    fact(facts, "file", a.dest.display().to_string());
    fact(facts, "organisation", &policy.organisation);
    fact(facts, "version", policy.version);
    fact(
        facts,
        "signed_with",
        keys.iter().map(|k| k.public().key_id()).collect::<Vec<_>>(),
    );
    fact(facts, "issued_at", policy.issued_at.map(|t| t.to_string()));
    fact(facts, "expires", policy.expires.map(|t| t.to_string()));
    fact(facts, "rules_hash", policy.rules_hash());
    writeln!(
        out,
        "signed policy version {} of {} with {} key(s), expires {}: {}",
        policy.version,
        policy.organisation,
        keys.len(),
        policy.expires.map_or(String::new(), |t| t.to_string()),
        a.dest.display()
    )?;
    Ok(0)
}

pub(crate) fn policy_verify(
    file: &Path,
    root_path: &Path,
    out: &mut dyn Write,
    facts: &mut Facts,
) -> Result<i32, Failure> {
    let bytes = read(file, "policy envelope")?;
    let (rbytes, renv) = load_envelope(root_path, "root")?;
    let claimed = unverified_root(&renv, root_path)?;
    let root = verify_initial(&rbytes, &claimed.organisation)
        .map_err(|e| invalid(format!("{}: {e}", root_path.display())))?;
    let v =
        verify_policy(&root, &bytes).map_err(|e| invalid(format!("{}: {e}", file.display())))?;
    let p = &v.policy;
    fact(facts, "file", file.display().to_string());
    fact(facts, "valid", true);
    fact(facts, "organisation", &p.organisation);
    fact(facts, "version", p.version);
    fact(facts, "issued_at", p.issued_at.map(|t| t.to_string()));
    fact(facts, "expires", p.expires.map(|t| t.to_string()));
    fact(facts, "signed_by", &v.signers);
    fact(facts, "threshold", root.roles.policy.threshold);
    fact(facts, "rules_hash", p.rules_hash());
    writeln!(
        out,
        "{}: valid policy version {} of {}, issued {}, expires {}; signed by {} of the {} policy key(s) needed: {}",
        file.display(),
        p.version,
        p.organisation,
        p.issued_at.map_or("-".into(), |t| t.to_string()),
        p.expires.map_or("never".into(), |t| t.to_string()),
        v.signers.len(),
        root.roles.policy.threshold,
        v.signers.join(", ")
    )?;
    if p.expires.is_some_and(|e| e <= Timestamp::now()) {
        writeln!(out, "warning: it has expired; devices will refuse it")?;
    }
    Ok(0)
}

/// Creates a published directory readable by the web server's worker (0755): a packaged nginx
/// serves as `nobody` or `www-data`, not as the administrator.
fn publish_dir(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::new(format!("cannot create {}: {e}", dir.display())))?;
    set_mode(dir, 0o755)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| Failure::new(format!("cannot set the mode of {}: {e}", path.display())))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> Result<(), Failure> {
    Ok(())
}

/// Writes a published file atomically, readable by everyone (0644: the files are public, their
/// trust is in the signatures), with a modification time strictly later than the file it
/// replaces. Web servers derive the entity tag from mtime (whole seconds) and size: two publishes
/// of the same size within one second would otherwise look identical to every device (a 304),
/// which would keep the old policy.
fn publish_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    let dir = path.parent().unwrap_or(Path::new("."));
    let fail = |e: std::io::Error| Failure::new(format!("cannot write {}: {e}", path.display()));
    let previous = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mtime = previous.map_or(now, |p| now.max(p + 1));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file()
        .set_modified(UNIX_EPOCH + Duration::from_secs(mtime))
        .map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    set_mode(tmp.path(), 0o644)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

pub(crate) fn publish(
    dir: &Path,
    roots: &[PathBuf],
    policy: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
    facts: &mut Facts,
) -> Result<i32, Failure> {
    if roots.is_empty() {
        return Err(Failure::new(
            "name the root files with --root (every version devices may need to catch up through)",
        ));
    }
    let mut chain = Vec::new();
    for p in roots {
        let (bytes, e) = load_envelope(p, "root")?;
        chain.push((unverified_root(&e, p)?.version, bytes, p.clone()));
    }
    chain.sort_by_key(|(v, ..)| *v);
    // The chain must verify from its first root on, exactly as a device will walk it.
    let (_, first_bytes, first_path) = &chain[0];
    let claimed = unverified_root(
        &Envelope::parse(first_bytes).map_err(|e| invalid(e.to_string()))?,
        first_path,
    )?;
    let mut trusted = verify_initial(first_bytes, &claimed.organisation)
        .map_err(|e| invalid(format!("{}: {e}", first_path.display())))?;
    writeln!(
        err,
        "verified root version {} ({})",
        trusted.version,
        first_path.display()
    )?;
    for (_, bytes, path) in chain.iter().skip(1) {
        trusted = verify_successor(&trusted, bytes)
            .map_err(|e| invalid(format!("{}: {e}", path.display())))?;
        writeln!(
            err,
            "verified root version {} against version {} ({})",
            trusted.version,
            trusted.version - 1,
            path.display()
        )?;
    }
    let policy_bytes = read(policy, "policy envelope")?;
    let v = verify_policy(&trusted, &policy_bytes)
        .map_err(|e| invalid(format!("{}: {e}", policy.display())))?;
    // Refuse what every device would refuse, before any device sees it.
    let now = Timestamp::now();
    let p = &v.policy;
    let refuse = |why: String| {
        Err(invalid(format!(
            "not published: {}: {why}",
            policy.display()
        )))
    };
    if p.organisation != trusted.organisation {
        return refuse(format!(
            "it is for organisation `{}`, but the root chain is `{}`'s",
            p.organisation, trusted.organisation
        ));
    }
    match p.expires {
        None => return refuse("it does not say when it expires".into()),
        Some(e) if e <= now => return refuse(format!("it expired on {e}; sign it again")),
        Some(_) => {}
    }
    if trusted.expires <= now {
        return refuse(format!(
            "the newest root (version {}) expired on {}; rotate it first",
            trusted.version, trusted.expires
        ));
    }
    let live_path = dir.join("policy.json");
    if live_path.exists() {
        let live_bytes = read(&live_path, "live policy")?;
        let live = unverified_policy(&live_path, "live policy")?;
        if live_bytes != policy_bytes && p.version <= live.version {
            return refuse(format!(
                "version {} is not newer than the live version {} in {}: devices would refuse it (sign it with `policy sign --published {}`)",
                p.version,
                live.version,
                live_path.display(),
                dir.display()
            ));
        }
    }
    publish_dir(dir)?;
    publish_dir(&dir.join("root"))?;
    // Roots first: a device must never see a policy signed by keys of a root not yet published.
    for (version, bytes, _) in &chain {
        let file = dir.join("root").join(format!("{version}.root.json"));
        publish_file(&file, bytes)?;
        writeln!(err, "wrote {}", file.display())?;
    }
    publish_file(&live_path, &policy_bytes)?;
    writeln!(err, "wrote {}", live_path.display())?;
    let versions = if chain[0].0 == trusted.version {
        format!("root version {}", trusted.version)
    } else {
        format!("root versions {} to {}", chain[0].0, trusted.version)
    };
    fact(facts, "out", dir.display().to_string());
    fact(
        facts,
        "root_versions",
        chain.iter().map(|(v, ..)| *v).collect::<Vec<_>>(),
    );
    fact(facts, "policy_version", v.policy.version);
    writeln!(
        out,
        "published to {}: {versions}, policy version {}",
        dir.display(),
        v.policy.version
    )?;
    writeln!(
        out,
        "serve this directory from any web server, CDN or object store; devices trust the signatures, not the server"
    )?;
    Ok(0)
}
