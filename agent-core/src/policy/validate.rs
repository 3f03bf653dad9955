//! The checks a policy must pass, shared by the TOML compiler (which turns a problem's path into a
//! file, line and column) and the device (which rejects a compiled document outright).

use rustc_hash::{FxHashMap, FxHashSet};
use std::fmt;

use super::{
    Action, DEFAULT_RULE, DefaultDecision, Effect, Escalation, LOOK_ALIKE_RULE, Policy, SCHEMA,
};
use crate::time::Timestamp;

/// One step of the path to a value in the document: a table key or an array index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A key in a table.
    Key(String),
    /// A position in an array.
    Index(usize),
}

/// Something wrong with a policy, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where in the document, from the root.
    pub path: Vec<Segment>,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl Problem {
    pub(crate) fn at(path: &[Segment], message: impl Into<String>) -> Self {
        Problem {
            path: path.to_vec(),
            message: message.into(),
        }
    }

    /// The path written as `rules[2].match.signers[0]`.
    pub(crate) fn path_text(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            match seg {
                Segment::Key(k) if out.is_empty() => out.push_str(k),
                Segment::Key(k) => {
                    out.push('.');
                    out.push_str(k);
                }
                Segment::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path_text(), self.message)
        }
    }
}

fn key(k: &str) -> Segment {
    Segment::Key(k.to_string())
}

fn path(parts: &[Segment]) -> Vec<Segment> {
    parts.to_vec()
}

/// Checks a policy's structure and references. Returns every problem found, in document order.
pub fn validate(policy: &Policy) -> Result<(), Vec<Problem>> {
    let mut problems = Vec::new();
    let p = &mut problems;

    if policy.schema != SCHEMA {
        p.push(Problem::at(
            &[key("schema")],
            format!(
                "schema {} is not understood by this agent (it reads schema {SCHEMA})",
                policy.schema
            ),
        ));
    }
    if policy.organisation.trim().is_empty() {
        p.push(Problem::at(
            &[key("organisation")],
            "the organisation must be named",
        ));
    }
    if policy.version == 0 {
        p.push(Problem::at(
            &[key("version")],
            "the version must be 1 or more",
        ));
    }
    if let Some(why) = policy.report.problem() {
        p.push(Problem::at(&[key("report"), key("time_zone")], why));
    }
    if let (Some(issued), Some(expires)) = (policy.issued_at, policy.expires)
        && expires <= issued
    {
        p.push(Problem::at(
            &[key("expires")],
            "the policy expires before it is issued",
        ));
    }
    check_default(p, &[key("default")], &policy.default);

    // Publishers.
    for (id, publisher) in &policy.publishers {
        let at = path(&[key("publishers"), key(id)]);
        for (i, pem) in publisher.pem_certificates.iter().enumerate() {
            if let Err(e) = super::pem_der(pem) {
                p.push(Problem::at(
                    &[at.clone(), vec![key("pem_certificates"), Segment::Index(i)]].concat(),
                    e,
                ));
            }
        }
        if publisher.certificates.is_empty()
            && publisher.packages.is_empty()
            && publisher.pem_certificates.is_empty()
        {
            p.push(Problem::at(&at, format!(
                "publisher `{id}` names neither certificates nor packages, so it can never match")));
        }
        if let Some(country) = &publisher.country
            && !is_country(country)
        {
            p.push(Problem::at(
                &[at.clone(), vec![key("country")]].concat(),
                format!(
                    "`{country}` is not an ISO 3166 country code (two capital letters, like CN)"
                ),
            ));
        }
        check_package_names(
            p,
            || [at.clone(), vec![key("packages")]].concat(),
            &publisher.packages,
        );
    }
    let countries: FxHashSet<&str> = policy
        .publishers
        .values()
        .filter_map(|p| p.country.as_deref())
        .collect();

    // Tiers.
    let mut tier_names = FxHashSet::default();
    for (i, tier) in policy.tiers.iter().enumerate() {
        let at = path(&[key("tiers"), Segment::Index(i)]);
        if !tier_names.insert(tier.name.as_str()) {
            p.push(Problem::at(
                &[at.clone(), vec![key("name")]].concat(),
                format!("tier `{}` is defined twice", tier.name),
            ));
        }
        if tier.groups.is_empty() {
            p.push(Problem::at(
                &at,
                format!("tier `{}` names no device groups", tier.name),
            ));
        }
        if tier.mode == Some(super::Mode::Monitor) && policy.mode == super::Mode::Enforce {
            p.push(Problem::at(&[at.clone(), vec![key("mode")]].concat(),
                "a tier can only make the policy stricter: it cannot monitor where the policy enforces"));
        }
        if let Some(default) = &tier.default {
            let dat = [at.clone(), vec![key("default")]].concat();
            if default.effect == Effect::Allow {
                p.push(Problem::at(
                    &dat,
                    "a tier can only make the policy stricter: its default can only be `deny`",
                ));
            }
            check_default(p, &dat, default);
        }
    }

    // Rules.
    let mut ids = FxHashSet::default();
    for (i, rule) in policy.rules.iter().enumerate() {
        let at = || path(&[key("rules"), Segment::Index(i)]);
        let field = |f: &str| [at(), vec![key(f)]].concat();
        if !is_rule_id(&rule.id) {
            p.push(Problem::at(&field("id"), format!(
                "`{}` is not a usable rule id: use letters, digits, `-`, `_` and `.`, and not `{DEFAULT_RULE}` or `{LOOK_ALIKE_RULE}`",
                rule.id)));
        } else if !ids.insert(rule.id.as_str()) {
            p.push(Problem::at(
                &field("id"),
                format!("rule id `{}` is used twice", rule.id),
            ));
        }
        let m = &rule.matcher;
        let mat = || field("match");
        if m.is_empty() {
            p.push(Problem::at(
                &mat(),
                format!(
                    "rule `{}` has no match criterion, so it would match every app; say which apps",
                    rule.id
                ),
            ));
        }
        check_package_names(p, || [mat(), vec![key("packages")]].concat(), &m.packages);
        for (j, prefix) in m.package_prefixes.iter().enumerate() {
            if prefix.is_empty() {
                p.push(Problem::at(
                    &[mat(), vec![key("package_prefixes"), Segment::Index(j)]].concat(),
                    "an empty prefix would match every app",
                ));
            }
        }
        for (j, publisher) in m.publishers.iter().enumerate() {
            if !policy.publishers.contains_key(publisher) {
                p.push(Problem::at(
                    &[mat(), vec![key("publishers"), Segment::Index(j)]].concat(),
                    format!("publisher `{publisher}` is not defined under [publishers]"),
                ));
            }
        }
        for (j, country) in m.countries.iter().enumerate() {
            let cat = [mat(), vec![key("countries"), Segment::Index(j)]].concat();
            if !is_country(country) {
                p.push(Problem::at(
                    &cat,
                    format!(
                        "`{country}` is not an ISO 3166 country code (two capital letters, like CN)"
                    ),
                ));
            } else if !countries.contains(country.as_str()) {
                p.push(Problem::at(&cat, format!(
                    "no publisher of this policy is in `{country}`, so this can never match: countries are known only through [publishers]")));
            }
        }
        if let (Some(lo), Some(hi)) = (m.min_version_code, m.max_version_code)
            && lo > hi
        {
            p.push(Problem::at(&mat(), format!(
                    "min_version_code {lo} is above max_version_code {hi}, so the rule can never match")));
        }
        for (j, tier) in rule.tiers.iter().enumerate() {
            if !tier_names.contains(tier.as_str()) {
                p.push(Problem::at(
                    &[at(), vec![key("tiers"), Segment::Index(j)]].concat(),
                    format!("tier `{tier}` is not defined under [[tiers]]"),
                ));
            }
        }
        match rule.effect {
            Effect::Deny => match rule.action {
                None => p.push(Problem::at(&at(), format!(
                    "rule `{}` denies but names no action (report, warn, suspend, hide or uninstall)", rule.id))),
                Some(action) => check_escalation(p, &field("escalation"), action, &rule.escalation),
            },
            Effect::Allow => {
                if rule.action.is_some() || !rule.escalation.is_empty() {
                    p.push(Problem::at(&field("action"), format!(
                        "rule `{}` allows, so it cannot have an action or an escalation", rule.id)));
                }
            }
        }
        if let Some(link) = &rule.link {
            check_link(p, &field("link"), link);
        }
    }

    // Conflicts: an allow and a deny rule about exactly the same apps for the same devices say two
    // opposite things; the precedence would silently pick one, so the author must. Rules are
    // grouped by their match and tiers, so this stays linear in the rules.
    let mut first_by_scope: FxHashMap<(&super::Match, Vec<&String>, Effect), usize> =
        FxHashMap::default();
    for (j, rule) in policy.rules.iter().enumerate() {
        let mut tiers: Vec<&String> = rule.tiers.iter().collect();
        tiers.sort();
        tiers.dedup();
        let opposite = match rule.effect {
            Effect::Allow => Effect::Deny,
            Effect::Deny => Effect::Allow,
        };
        if let Some(&i) = first_by_scope.get(&(&rule.matcher, tiers.clone(), opposite))
            && let Some(a) = policy.rules.get(i)
        {
            p.push(Problem::at(&[key("rules"), Segment::Index(j)], format!(
                "rules `{}` and `{}` conflict: they match exactly the same apps on the same devices, one allows and one denies (rules[{i}] and rules[{j}])",
                a.id, rule.id)));
        }
        first_by_scope
            .entry((&rule.matcher, tiers, rule.effect))
            .or_insert(j);
    }

    // Exceptions.
    let default_denies = policy.default.effect == Effect::Deny
        || policy
            .tiers
            .iter()
            .any(|t| t.default.as_ref().is_some_and(|d| d.effect == Effect::Deny));
    for (i, exception) in policy.exceptions.iter().enumerate() {
        let at = path(&[key("exceptions"), Segment::Index(i)]);
        let field = |f: &str| [at.clone(), vec![key(f)]].concat();
        if exception.rule == DEFAULT_RULE {
            if !default_denies {
                p.push(Problem::at(
                    &field("rule"),
                    "an exception to `default` needs a default that denies (an allow-list)",
                ));
            }
            if exception.packages.is_empty() {
                p.push(Problem::at(
                    &field("packages"),
                    "an exception to `default` must name the packages it lets through",
                ));
            }
        } else {
            match policy.rule(&exception.rule) {
                None => p.push(Problem::at(
                    &field("rule"),
                    format!(
                        "the exception is for rule `{}`, which does not exist",
                        exception.rule
                    ),
                )),
                Some(rule) if rule.effect == Effect::Allow => p.push(Problem::at(
                    &field("rule"),
                    format!(
                        "rule `{}` allows; only a rule that denies can have an exception",
                        exception.rule
                    ),
                )),
                Some(_) => {}
            }
        }
        if exception.groups.is_empty() {
            p.push(Problem::at(
                &field("groups"),
                "an exception must name the device groups it is for",
            ));
        }
        if exception.reason.trim().is_empty() {
            p.push(Problem::at(
                &field("reason"),
                "an exception must give its reason",
            ));
        }
        check_package_names(p, || field("packages"), &exception.packages);
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Exceptions that have already ended at `now`: an error when authoring (the administrator wrote
/// something that will never apply), merely ignored on the device.
pub fn expired_exceptions(policy: &Policy, now: Timestamp) -> Vec<Problem> {
    policy
        .exceptions
        .iter()
        .enumerate()
        .filter(|(_, e)| e.expires <= now)
        .map(|(i, e)| {
            Problem::at(
                &[key("exceptions"), Segment::Index(i), key("expires")],
                format!(
                    "the exception for rule `{}` expired on {}, which is in the past",
                    e.rule, e.expires
                ),
            )
        })
        .collect()
}

fn check_default(p: &mut Vec<Problem>, at: &[Segment], default: &DefaultDecision) {
    let field = |f: &str| [at.to_vec(), vec![key(f)]].concat();
    match (default.effect, default.action) {
        (Effect::Deny, None) => p.push(Problem::at(at,
            "a default that denies (an allow-list) must name its action (report, warn, suspend, hide or uninstall)")),
        (Effect::Deny, Some(action)) => check_escalation(p, &field("escalation"), action, &default.escalation),
        (Effect::Allow, Some(_)) => p.push(Problem::at(&field("action"),
            "a default that allows cannot have an action")),
        (Effect::Allow, None) => {}
    }
    if let Some(link) = &default.link {
        check_link(p, &field("link"), link);
    }
}

fn check_escalation(p: &mut Vec<Problem>, at: &[Segment], first: Action, steps: &[Escalation]) {
    let mut previous_action = first;
    let mut previous_after = 0;
    for (i, step) in steps.iter().enumerate() {
        let sat = [at.to_vec(), vec![Segment::Index(i)]].concat();
        if step.action <= previous_action {
            p.push(Problem::at(
                &sat,
                format!(
                    "an escalation must get stronger: `{}` does not go beyond `{previous_action}`",
                    step.action
                ),
            ));
        }
        if step.after.secs() <= previous_after {
            p.push(Problem::at(&sat, format!(
                "escalation steps must come later one after another: {} is not after the step before", step.after)));
        }
        previous_action = step.action;
        previous_after = step.after.secs();
    }
}

fn check_link(p: &mut Vec<Problem>, at: &[Segment], link: &str) {
    if !link.starts_with("https://")
        || link.len() <= "https://".len()
        || link.contains(char::is_whitespace)
    {
        p.push(Problem::at(at, format!("`{link}` is not an https:// link")));
    }
}

/// Checks each name of a list; the path (`at` + index) is built only for a name that fails, so a
/// policy of many thousands of names validates without allocating per name.
fn check_package_names(p: &mut Vec<Problem>, at: impl Fn() -> Vec<Segment>, names: &[String]) {
    for (i, name) in names.iter().enumerate() {
        if !is_package_name(name) {
            p.push(Problem::at(&[at(), vec![Segment::Index(i)]].concat(), format!(
                "`{name}` is not an Android package name (dot-separated letters, digits and `_`)")));
        }
    }
}

/// Whether `name` has the shape of an Android package name: dot-separated parts of letters, digits
/// and `_`, none empty.
pub fn is_package_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            !part.is_empty() && part.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
        })
}

fn is_country(code: &str) -> bool {
    code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase())
}

fn is_rule_id(id: &str) -> bool {
    !id.is_empty()
        && id != DEFAULT_RULE
        && id != LOOK_ALIKE_RULE
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}
