//! Reading indicator feeds: the stalkerware-indicators `ioc.yaml` and STIX 2.1 bundles as MVT reads
//! them. What comes out is a list of families (one malware or app family each) with the package
//! names and certificate digests the feed gives, and an account of everything that was not taken.

use std::collections::BTreeMap;

use agent_core::CertFingerprint;
use serde::Deserialize;

/// The largest feed read: the real `ioc.yaml` is under 100 KB and MVT's bundles a few MB.
pub(crate) const MAX_FEED_BYTES: usize = 32 << 20;

/// One family of apps the feed names.
#[derive(Clone, Debug, Default)]
pub(crate) struct Family {
    /// The family's name as the feed gives it.
    pub name: String,
    /// Other names it is sold under.
    pub aliases: Vec<String>,
    /// The feed's kind for it (`stalkerware`, `watchware`), if it says.
    pub kind: Option<String>,
    /// Package names.
    pub packages: Vec<String>,
    /// Signing-certificate digests.
    pub certificates: Vec<CertFingerprint>,
}

/// What a feed held, and what of it could not become policy.
#[derive(Debug, Default)]
pub(crate) struct Feed {
    /// The format, as the header names it.
    pub format: &'static str,
    /// The families, in the feed's order.
    pub families: Vec<Family>,
    /// Who made the indicators and under which licence, as far as the feed says.
    pub attribution: Option<String>,
    /// The newest `modified` time of a STIX bundle's objects (RFC 3339), for refusing an older feed.
    pub newest: Option<String>,
    /// Entries not taken, each with where it is and why.
    pub skipped: Vec<String>,
    /// APK file hashes the feed gives: counted, not imported (see `docs/POLICY.md`).
    pub apk_hashes: usize,
    /// Indicators of kinds a phone's app list cannot show (domains, addresses, e-mails…).
    pub other_indicators: usize,
}

/// The stalkerware-indicators project's terms, which its `ioc.yaml` does not carry itself.
pub(crate) const ECHAP_ATTRIBUTION: &str = "Stalkerware Indicators of Compromise by Echap and contributors, https://github.com/AssoEchap/stalkerware-indicators, licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)";

/// Reads a feed, telling the formats apart by content: a JSON object of type `bundle` is STIX,
/// anything else must be the `ioc.yaml` list.
pub(crate) fn read(file: &str, text: &str) -> Result<Feed, String> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        read_stix(file, trimmed)
    } else {
        read_ioc_yaml(file, trimmed)
    }
}

#[derive(Deserialize)]
struct IocEntry {
    name: Option<String>,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    packages: Vec<String>,
    #[serde(default)]
    certificates: Vec<String>,
}

fn read_ioc_yaml(file: &str, text: &str) -> Result<Feed, String> {
    // serde-saphyr enforces a budget on events and alias expansion by default, so an alias bomb is
    // an error, not a machine brought to its knees.
    let entries: Vec<IocEntry> = serde_saphyr::from_str(text).map_err(|e| {
        format!(
            "{file} is neither a STIX 2.1 bundle nor a stalkerware-indicators ioc.yaml list: {e}"
        )
    })?;
    let mut feed = Feed {
        format: "stalkerware-indicators ioc.yaml",
        attribution: Some(ECHAP_ATTRIBUTION.to_string()),
        ..Feed::default()
    };
    for (i, entry) in entries.into_iter().enumerate() {
        let Some(name) = entry.name.filter(|n| !n.trim().is_empty()) else {
            feed.skipped
                .push(format!("{file}: entry {} has no name", i + 1));
            continue;
        };
        let mut family = Family {
            name: name.clone(),
            aliases: entry.names.into_iter().filter(|n| *n != name).collect(),
            kind: entry.kind,
            ..Family::default()
        };
        for p in entry.packages {
            take_package(
                &mut family,
                &mut feed.skipped,
                &format!("{file}: {name}"),
                &p,
            );
        }
        for c in entry.certificates {
            match CertFingerprint::parse(c.trim()) {
                Ok(d) => push_new(&mut family.certificates, d),
                Err(e) => feed.skipped.push(format!("{file}: {name}: {e}")),
            }
        }
        feed.families.push(family);
    }
    Ok(feed)
}

/// Takes a package name if it is one; says why not otherwise.
fn take_package(family: &mut Family, skipped: &mut Vec<String>, at: &str, name: &str) {
    let name = name.trim();
    if !agent_core::policy::is_package_name(name) {
        skipped.push(format!("{at}: `{name}` is not an Android package name"));
    } else if agent_core::is_platform_package(name) {
        // A pre-installed copy is in the never-block set whatever the policy says, and a user app
        // carrying the name is caught as a look-alike: a feed that names one is wrong.
        skipped.push(format!(
            "{at}: `{name}` is a platform package the phone cannot work without; not imported"
        ));
    } else {
        push_new(&mut family.packages, name.to_string());
    }
}

fn push_new<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// One comparison of a STIX pattern: `object:path = 'value'`.
struct Comparison {
    path: String,
    value: String,
}

fn read_stix(file: &str, text: &str) -> Result<Feed, String> {
    let bundle: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "{file} is not JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        )
    })?;
    if bundle.get("type").and_then(|t| t.as_str()) != Some("bundle") {
        return Err(format!(
            "{file} is JSON but not a STIX bundle (its \"type\" is not \"bundle\")"
        ));
    }
    let objects = bundle
        .get("objects")
        .and_then(|o| o.as_array())
        .ok_or_else(|| format!("{file}: the bundle has no \"objects\" list"))?;
    let mut feed = Feed {
        format: "STIX 2.1 bundle",
        ..Feed::default()
    };
    let text_of =
        |o: &serde_json::Value, key: &str| o.get(key).and_then(|v| v.as_str()).map(str::to_string);
    // Collections as MVT makes them: each malware and each report.
    let mut collections: BTreeMap<String, usize> = BTreeMap::new();
    let mut identities = Vec::new();
    let mut statements = Vec::new();
    // An object dated ahead of the clock must not date the feed: one poisoned bundle from the year
    // 2999 would otherwise make every honest feed after it look older, and be refused.
    let horizon = agent_core::Timestamp::now().unix() + 86_400;
    let mut newest: Option<agent_core::Timestamp> = None;
    for o in objects {
        if let Some(m) = text_of(o, "modified").or_else(|| text_of(o, "created"))
            && let Ok(t) = agent_core::Timestamp::parse(&m)
        {
            if t.unix() > horizon {
                feed.skipped.push(format!(
                    "{file}: object {} is dated {m}, ahead of this machine's clock: not used to date the feed",
                    text_of(o, "id").unwrap_or_default()
                ));
            } else if newest.is_none_or(|n| t > n) {
                newest = Some(t);
                feed.newest = Some(m);
            }
        }
        match text_of(o, "type").as_deref() {
            Some("malware") | Some("report") => {
                if let Some(id) = text_of(o, "id") {
                    let name = text_of(o, "name").unwrap_or_else(|| id.clone());
                    collections.insert(id, feed.families.len());
                    feed.families.push(Family {
                        name,
                        aliases: o
                            .get("aliases")
                            .and_then(|a| a.as_array())
                            .map(|a| {
                                a.iter()
                                    .filter_map(|x| x.as_str().map(str::to_string))
                                    .collect()
                            })
                            .unwrap_or_default(),
                        kind: o
                            .get("malware_types")
                            .and_then(|a| a.as_array())
                            .and_then(|a| a.first())
                            .and_then(|x| x.as_str())
                            .map(str::to_string),
                        ..Family::default()
                    });
                }
            }
            Some("identity") => identities.extend(text_of(o, "name")),
            Some("marking-definition") => {
                if let Some(s) = o
                    .get("definition")
                    .and_then(|d| d.get("statement"))
                    .and_then(|s| s.as_str())
                {
                    statements.push(s.to_string());
                }
                if let Some(n) = text_of(o, "name") {
                    statements.push(n);
                }
            }
            _ => {}
        }
    }
    // Which collection each indicator belongs to: a report's refs, else an `indicates` relationship.
    let mut owner: BTreeMap<String, usize> = BTreeMap::new();
    for o in objects {
        match text_of(o, "type").as_deref() {
            Some("report") => {
                let Some(&c) = text_of(o, "id").and_then(|id| collections.get(&id)) else {
                    continue;
                };
                for r in o
                    .get("object_refs")
                    .and_then(|a| a.as_array())
                    .into_iter()
                    .flatten()
                {
                    if let Some(r) = r.as_str() {
                        owner.entry(r.to_string()).or_insert(c);
                    }
                }
            }
            Some("relationship")
                if text_of(o, "relationship_type").as_deref() == Some("indicates") =>
            {
                if let (Some(src), Some(&c)) = (
                    text_of(o, "source_ref"),
                    text_of(o, "target_ref").and_then(|t| collections.get(&t)),
                ) {
                    owner.entry(src).or_insert(c);
                }
            }
            _ => {}
        }
    }
    let now = agent_core::Timestamp::now();
    let mut unattributed: Option<usize> = None;
    for o in objects {
        if text_of(o, "type").as_deref() != Some("indicator") {
            continue;
        }
        let id = text_of(o, "id").unwrap_or_default();
        let at = format!("{file}: indicator {id}");
        if o.get("revoked").and_then(|r| r.as_bool()) == Some(true) {
            feed.skipped.push(format!("{at} is revoked"));
            continue;
        }
        if let Some(until) = text_of(o, "valid_until")
            && agent_core::Timestamp::parse(&until).is_ok_and(|t| t <= now)
        {
            feed.skipped.push(format!("{at} was valid until {until}"));
            continue;
        }
        if text_of(o, "pattern_type").is_some_and(|t| t != "stix") {
            feed.skipped.push(format!("{at} is not a STIX pattern"));
            continue;
        }
        let Some(pattern) = text_of(o, "pattern") else {
            feed.skipped.push(format!("{at} has no pattern"));
            continue;
        };
        let comparisons = match parse_pattern(&pattern) {
            Ok(c) => c,
            Err(why) => {
                feed.skipped.push(format!("{at}: {why}"));
                continue;
            }
        };
        let family = match owner.get(&id) {
            Some(&c) => c,
            None => *unattributed.get_or_insert_with(|| {
                feed.families.push(Family {
                    name: "Unattributed indicators".into(),
                    ..Family::default()
                });
                feed.families.len() - 1
            }),
        };
        for c in comparisons {
            take_comparison(&mut feed, family, &at, c);
        }
    }
    if !identities.is_empty() || !statements.is_empty() {
        let mut parts = Vec::new();
        if !identities.is_empty() {
            parts.push(format!("by {}", identities.join(", ")));
        }
        parts.extend(statements);
        feed.attribution = Some(format!("Indicators {}", parts.join("; ")));
    }
    Ok(feed)
}

/// Whether RFC 3339 time `a` is before `b`; a time that does not read compares as not before.
pub(crate) fn is_before(a: &str, b: &str) -> bool {
    match (
        agent_core::Timestamp::parse(a),
        agent_core::Timestamp::parse(b),
    ) {
        (Ok(a), Ok(b)) => a < b,
        _ => false,
    }
}

/// One comparison into the family, by its object path (as MVT reads them, both spellings of a
/// hash name: `sha256` and `'SHA-256'`).
fn take_comparison(feed: &mut Feed, family: usize, at: &str, c: Comparison) {
    let path = normalise_path(&c.path);
    let Some(f) = feed.families.get_mut(family) else {
        return;
    };
    match path.as_str() {
        "app:id" => take_package(f, &mut feed.skipped, at, &c.value),
        "app:cert.sha1" | "app:cert.sha256" => {
            let want = if path.ends_with("sha1") { 40 } else { 64 };
            match CertFingerprint::parse(c.value.trim()) {
                Ok(d) if d.to_string().len() == want => push_new(&mut f.certificates, d),
                Ok(_) => feed.skipped.push(format!(
                    "{at}: `{}` is not a {} digest",
                    c.value,
                    if want == 40 { "SHA-1" } else { "SHA-256" }
                )),
                Err(e) => feed.skipped.push(format!("{at}: {e}")),
            }
        }
        "app:cert.md5" => feed.skipped.push(format!(
            "{at}: an MD5 certificate digest cannot be matched (the agent computes SHA-256 and SHA-1)"
        )),
        "file:hashes.sha256" | "file:hashes.sha1" | "file:hashes.md5" => feed.apk_hashes += 1,
        _ => feed.other_indicators += 1,
    }
}

fn normalise_path(path: &str) -> String {
    for sep in ["hashes.", "cert."] {
        if let Some((prefix, algo)) = path.split_once(sep) {
            let algo: String = algo.chars().filter(|c| *c != '\'' && *c != '-').collect();
            return format!("{prefix}{sep}{}", algo.to_lowercase());
        }
    }
    path.to_string()
}

/// Parses the part of STIX patterning that indicator feeds use: one observation `[ … ]` holding
/// comparisons `path = 'value'` joined by `OR`. Anything else (`AND`, other operators, several
/// observations, qualifiers) is refused rather than half understood.
fn parse_pattern(pattern: &str) -> Result<Vec<Comparison>, String> {
    let p = pattern.trim();
    let inner = p
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .ok_or_else(|| format!("pattern `{p}` is not one observation in brackets"))?;
    let mut out = Vec::new();
    let mut rest = inner.trim_start();
    loop {
        let (path, after) = rest
            .split_once('=')
            .ok_or_else(|| format!("pattern `{p}` has no `=` comparison"))?;
        let path = path.trim();
        if path.is_empty()
            || !path
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '_' | '-' | '\''))
        {
            return Err(format!("pattern `{p}`: `{path}` is not an object path"));
        }
        let after = after.trim_start();
        let body = after
            .strip_prefix('\'')
            .ok_or_else(|| format!("pattern `{p}`: the value is not a quoted string"))?;
        let mut value = String::new();
        let mut chars = body.char_indices();
        let mut end = None;
        while let Some((i, ch)) = chars.next() {
            match ch {
                '\\' => match chars.next() {
                    Some((_, e @ ('\'' | '\\'))) => value.push(e),
                    _ => return Err(format!("pattern `{p}`: a bad escape in a string")),
                },
                '\'' => {
                    end = Some(i + 1);
                    break;
                }
                c => value.push(c),
            }
        }
        let end = end.ok_or_else(|| format!("pattern `{p}`: a string is not closed"))?;
        out.push(Comparison {
            path: path.to_string(),
            value,
        });
        let tail = body.get(end..).unwrap_or_default().trim_start();
        if tail.is_empty() {
            return Ok(out);
        }
        rest = tail
            .strip_prefix("OR ")
            .ok_or_else(|| {
                format!("pattern `{p}` joins comparisons by something other than OR; not imported")
            })?
            .trim_start();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_as_feeds_write_them() {
        let one = parse_pattern("[app:id = 'com.example.spy']").unwrap();
        assert_eq!(
            (one[0].path.as_str(), one[0].value.as_str()),
            ("app:id", "com.example.spy")
        );
        let two = parse_pattern("[app:id='a.b' OR app:cert.'SHA-256'='ab\\'c']").unwrap();
        assert_eq!(two.len(), 2);
        assert_eq!(normalise_path(&two[1].path), "app:cert.sha256");
        assert_eq!(two[1].value, "ab'c");
        for bad in [
            "app:id = 'x'",
            "[app:id = 'x' AND app:id = 'y']",
            "[app:id = 'x'] FOLLOWEDBY [app:id = 'y']",
            "[app:id = 'x]",
            "[app:id != 'x']",
            "[app:id = x]",
        ] {
            assert!(parse_pattern(bad).is_err(), "{bad}");
        }
    }
}
