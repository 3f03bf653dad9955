//! `appwacht policy import-indicators`: a public indicator feed turned into policy TOML that the
//! administrator reviews and signs.
//!
//! The feed is someone else's list, so the import is careful on the administrator's behalf: it
//! writes only between its own marker lines, writes nothing unless the whole policy still compiles,
//! refuses a feed older than the one imported before (a mirror serving an old file), refuses to let
//! a feed deny an app the organisation's own rules allow unless told, and says what changed.

mod feed;
mod section;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use agent_core::policy::authoring;
use agent_core::{Action, Effect, Policy, Timestamp};

use crate::Failure;
use crate::commands::{read, write_atomically};

/// What the command was asked.
pub(crate) struct ImportArgs<'a> {
    pub file: &'a Path,
    pub publisher: &'a str,
    pub into: Option<&'a Path>,
    pub action: Option<&'a str>,
    pub kinds: &'a [String],
    pub attribution: Option<&'a str>,
    pub message: Option<&'a str>,
    pub allow_older: bool,
    pub accept_overlap: bool,
}

const DEFAULT_MESSAGE: &str = "This app is named as stalkerware or spyware by an indicator feed your organisation follows, and is not allowed on work phones. Contact the helpdesk.";

fn invalid(message: String) -> Failure {
    Failure {
        message,
        code: crate::EXIT_INVALID,
    }
}

pub(crate) fn run(
    args: &ImportArgs<'_>,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, Failure> {
    let name = args.publisher;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(invalid(format!(
            "--publisher `{name}`: use lower-case letters, digits and `-` (it becomes the rule's id and the publishers' prefix)"
        )));
    }
    let asked = args
        .action
        .map(|a| {
            Action::parse(a).ok_or_else(|| {
                invalid(format!(
                    "--action `{a}` is not one of report, warn, suspend, hide, uninstall"
                ))
            })
        })
        .transpose()?;
    // The policy as it is, before anything is changed: its allow-list default sets the floor.
    let current = match args.into {
        Some(into) => {
            let text = String::from_utf8(read(into, "policy")?)
                .map_err(|_| invalid(format!("the policy {} is not UTF-8 text", into.display())))?;
            let file = into.display().to_string();
            let policy = authoring::parse(&file, &text).map_err(|e| {
                invalid(format!(
                    "{file} is not a valid policy before the import; fix it first:\n{e}"
                ))
            })?;
            Some((file, text, policy))
        }
        None => None,
    };
    let floor = current.as_ref().and_then(|(_, _, p)| allow_list_floor(p));
    let mut notes = Vec::new();
    let action = match (asked, floor) {
        (Some(a), Some(f)) if a < f => {
            notes.push(format!(
                "the allow-list's default does `{f}` to apps it does not name, and a deny rule decides before the default: the imported rule's `{a}` gives the apps it names less than an unknown app gets (--action {f} keeps them at {f})"
            ));
            a
        }
        (Some(a), _) => a,
        // Without a word, never weaker than what the allow-list already does.
        (None, Some(f)) => f,
        (None, None) => Action::Report,
    };
    let bytes = read(args.file, "indicator feed")?;
    let source = args.file.display().to_string();
    if bytes.len() > feed::MAX_FEED_BYTES {
        return Err(invalid(format!(
            "{source} is {} bytes; a feed is refused above {} MiB",
            bytes.len(),
            feed::MAX_FEED_BYTES >> 20
        )));
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        invalid(format!(
            "{source} is not UTF-8 text (byte {})",
            e.valid_up_to()
        ))
    })?;
    let mut feed = feed::read(&source, text).map_err(invalid)?;
    if !args.kinds.is_empty() {
        feed.families.retain(|f| {
            f.kind
                .as_ref()
                .is_some_and(|k| args.kinds.iter().any(|x| x.eq_ignore_ascii_case(k)))
        });
    }
    for f in &feed.families {
        if f.packages.is_empty() && f.certificates.is_empty() {
            feed.skipped.push(format!(
                "{source}: {}: names no package and no certificate that could be taken",
                f.name
            ));
        }
    }
    let attribution = args
        .attribution
        .map(str::to_string)
        .or_else(|| feed.attribution.clone())
        .unwrap_or_else(|| {
            format!(
                "{source}; the feed names no author or licence: check its terms before you publish"
            )
        });
    let sha256 = agent_core::sha256_hex(&bytes);
    let file_name = args
        .file
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| source.clone());
    let spec = section::Spec {
        name,
        action,
        message: args.message.unwrap_or(DEFAULT_MESSAGE),
        source: &file_name,
        sha256: &sha256,
        attribution: &attribution,
    };
    let generated = section::write(&feed, &spec);
    let new = section::indicators(&generated);
    if new.packages.is_empty() && new.certificates.is_empty() {
        return Err(invalid(format!(
            "{source}: no package name or certificate digest could be imported{}",
            if feed.skipped.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} entries not taken, the first: {})",
                    feed.skipped.len(),
                    feed.skipped[0]
                )
            }
        )));
    }

    let Written {
        old,
        overlaps,
        warnings,
    } = match (args.into, &current) {
        (Some(into), Some((file, policy_text, _))) => {
            let the = Import {
                args,
                file,
                policy_text,
                generated: &generated,
                newest: feed.newest.as_deref(),
                new: &new,
                source: &source,
            };
            write_into(into, &the)?
        }
        _ => Written::default(),
    };

    let diff = |a: &BTreeSet<String>, b: &BTreeSet<String>| -> Vec<String> {
        a.difference(b).cloned().collect()
    };
    // Without an earlier section (or printing only) everything is added and nothing removed.
    let none = section::Indicators::default();
    let o = old.as_ref().unwrap_or(&none);
    let added = (
        diff(&new.packages, &o.packages),
        diff(&new.certificates, &o.certificates),
    );
    let removed = (
        diff(&o.packages, &new.packages),
        diff(&o.certificates, &new.certificates),
    );
    let families = section::publishers(&feed, name).len();
    if json {
        let body = serde_json::json!({
            "feed": source, "format": feed.format, "sha256": sha256, "publisher": name,
            "families": families, "packages": new.packages.len(), "certificates": new.certificates.len(),
            "added": {"packages": added.0, "certificates": added.1},
            "removed": {"packages": removed.0, "certificates": removed.1},
            "skipped": feed.skipped, "apk_hashes": feed.apk_hashes,
            "other_indicators": feed.other_indicators,
            "overlaps": overlaps, "warnings": warnings, "notes": notes, "action": action,
            "written": args.into.map(|p| p.display().to_string()),
        });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&body).unwrap_or_default()
        )?;
        return Ok(0);
    }
    if args.into.is_none() {
        // The section itself is the answer: review it, paste it, or import with --into.
        write!(out, "{generated}")?;
    }
    writeln!(
        err,
        "{source} ({}): {families} families, {} package names, {} certificate digests",
        feed.format,
        new.packages.len(),
        new.certificates.len()
    )?;
    if let Some(into) = args.into {
        writeln!(
            out,
            "{}: the section `{name}` is {}; {} package name(s) and {} certificate digest(s) added, {} and {} removed",
            into.display(),
            if *o != none { "replaced" } else { "written" },
            added.0.len(),
            added.1.len(),
            removed.0.len(),
            removed.1.len()
        )?;
        for p in &removed.0 {
            writeln!(out, "  removed package {p}")?;
        }
        for c in &removed.1 {
            writeln!(out, "  removed certificate {c}")?;
        }
        for w in notes.iter().chain(&warnings) {
            writeln!(out, "warning: {w}")?;
        }
        for o in &overlaps {
            writeln!(out, "denied although allowed (--accept-overlap): {o}")?;
        }
        writeln!(
            out,
            "Review the change, then sign the policy (appwacht policy sign)."
        )?;
    }
    if feed.apk_hashes > 0 {
        writeln!(
            err,
            "{} APK file hash(es) not imported: a file hash names one build of an app, and the agent knows apps by package and signer (a pulled APK can be checked with `appwacht apk inspect` and sha256sum)",
            feed.apk_hashes
        )?;
    }
    if feed.other_indicators > 0 {
        writeln!(
            err,
            "{} indicator(s) of other kinds (domains, addresses, files on the phone) not imported: an app policy cannot use them",
            feed.other_indicators
        )?;
    }
    if !feed.skipped.is_empty() {
        writeln!(err, "{} entr(ies) not taken:", feed.skipped.len())?;
        for s in &feed.skipped {
            writeln!(err, "  {s}")?;
        }
    }
    Ok(0)
}

/// What an import into a policy file found on the way.
#[derive(Default)]
struct Written {
    /// What the replaced section named (empty for a first import); none when nothing was written.
    old: Option<section::Indicators>,
    /// Apps the policy's own allow rules allow that the feed denies (accepted, or it would refuse).
    overlaps: Vec<String>,
    /// The combined policy's warnings.
    warnings: Vec<String>,
}

/// An import into a policy file, as far as writing it needs.
struct Import<'a> {
    args: &'a ImportArgs<'a>,
    file: &'a str,
    policy_text: &'a str,
    generated: &'a str,
    newest: Option<&'a str>,
    new: &'a section::Indicators,
    source: &'a str,
}

/// Puts the generated section into the policy file, or refuses and leaves the file as it was: an
/// older feed, a result that does not compile, a feed denying what the policy allows.
fn write_into(into: &Path, the: &Import<'_>) -> Result<Written, Failure> {
    let (file, source, name) = (the.file, the.source, the.args.publisher);
    let (combined, replaced) =
        section::splice(file, the.policy_text, name, the.generated).map_err(invalid)?;
    if let (Some(before), Some(now)) = (
        replaced.as_deref().and_then(section::recorded_newest),
        the.newest,
    ) && feed::is_before(now, &before)
        && !the.args.allow_older
    {
        return Err(invalid(format!(
            "{source} is older than the feed imported before (its newest object is from {now}, the imported one's from {before}): a mirror may be serving an old file; --allow-older imports it anyway"
        )));
    }
    let policy = authoring::compile(file, &combined, Timestamp::now()).map_err(|e| {
        invalid(format!(
            "{file} would not be a valid policy with the imported section, so it was left as it was:\n{e}"
        ))
    })?;
    let overlaps = allowed_by_the_organisation(&policy, name, the.new);
    if !overlaps.is_empty() && !the.args.accept_overlap {
        return Err(invalid(format!(
            "{source} names apps that {file}'s own rules allow, and a deny rule wins over an allow (docs/POLICY.md): {}; {file} was left as it was. Check the feed; to deny them all the same, import with --accept-overlap, or lift them with an exception",
            overlaps.join("; ")
        )));
    }
    let warnings = authoring::warnings(file, &combined, &[])
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect();
    write_atomically(into, combined.as_bytes())?;
    Ok(Written {
        old: Some(
            replaced
                .as_deref()
                .map(section::indicators)
                .unwrap_or_default(),
        ),
        overlaps,
        warnings,
    })
}

/// The imported indicators that the organisation's own allow rules speak for: by package name
/// (listed, or a package of an allowed publisher) or by certificate.
fn allowed_by_the_organisation(
    policy: &Policy,
    name: &str,
    new: &section::Indicators,
) -> Vec<String> {
    let prefix = format!("{name}-");
    let mut out = Vec::new();
    for rule in policy.rules.iter().filter(|r| r.effect == Effect::Allow) {
        let m = &rule.matcher;
        let publishers = m
            .publishers
            .iter()
            .filter(|id| !id.starts_with(&prefix))
            .filter_map(|id| policy.publishers.get(id));
        let mut packages: BTreeSet<&str> = m.packages.iter().map(String::as_str).collect();
        let mut certificates: BTreeSet<String> =
            m.signers.iter().map(ToString::to_string).collect();
        for p in publishers {
            packages.extend(p.packages.iter().map(String::as_str));
            certificates.extend(p.certificates.iter().map(ToString::to_string));
        }
        for p in new.packages.iter().filter(|p| {
            packages.contains(p.as_str())
                || m.package_prefixes.iter().any(|x| p.starts_with(x.as_str()))
        }) {
            out.push(format!("package `{p}` (rule `{}`)", rule.id));
        }
        for c in new.certificates.intersection(&certificates) {
            out.push(format!("certificate {c} (rule `{}`)", rule.id));
        }
    }
    out
}

/// The strongest thing an allow-list default (the policy's, or a tier's) does to an app it does
/// not name: the floor below which an imported rule would weaken what the policy already does.
fn allow_list_floor(policy: &Policy) -> Option<Action> {
    std::iter::once(&policy.default)
        .chain(policy.tiers.iter().filter_map(|t| t.default.as_ref()))
        .filter(|d| d.effect == Effect::Deny)
        .filter_map(|d| d.escalation.iter().map(|e| e.action).chain(d.action).max())
        .max()
}
