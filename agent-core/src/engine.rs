//! Evaluation: which rule wins for a package on a device, following the precedence written in
//! `docs/POLICY.md`:
//!
//! 1. the never-block set is always allowed;
//! 2. deny rules in scope for the device, each lifted only by an exception in force for it;
//! 3. of the remaining denials the strongest action wins (then the rule written first);
//! 4. an exception in force permits the package (it lifts the rule it names and the default);
//! 5. an allow rule in scope permits the package;
//! 6. the default: allow, or for an allow-list deny, except system apps.
//!
//! Rules are indexed by package name, prefix and certificate digest so a scan costs a few hash
//! look-ups per package, whatever the size of the policy.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use crate::digest::{CertDigest, CertFingerprint, CertSha1};
use crate::inventory::Package;
use crate::policy::Action;
use crate::policy::{
    AppKind, DEFAULT_RULE, DefaultDecision, Effect, Escalation, Exception, Mode, Policy, Rule,
};
use crate::protected;
use crate::time::Timestamp;

/// Who the device is: what scopes the rules and exceptions, and what is never blocked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Enrolment {
    /// The device's groups (roles, departments).
    pub groups: Vec<String>,
    /// This agent's package name.
    pub agent_package: String,
    /// The agent's signing certificates: only a package carrying one is the agent. On the phone
    /// they are the running app's own; on the host they come from the configuration.
    pub agent_certificates: Vec<CertDigest>,
    /// The organisation's EMM packages (its agent and helpers), if an EMM manages the phone.
    pub emm_packages: Vec<String>,
    /// The EMM's certificates; when given, an EMM package must carry one to be protected.
    pub emm_certificates: Vec<CertDigest>,
    /// Packages this device cannot work without beyond the built-in list (its default launcher,
    /// dialer, SMS app and keyboard, its active device admins); protected when pre-installed.
    pub device_essentials: Vec<String>,
}

impl Enrolment {
    /// An enrolment in these groups, with the standard agent package and no EMM.
    pub fn in_groups(groups: Vec<String>) -> Self {
        Enrolment {
            groups,
            agent_package: protected::AGENT_PACKAGE.to_string(),
            ..Enrolment::default()
        }
    }

    /// The same enrolment with this EMM package added.
    pub fn with_emm(mut self, emm: Option<String>) -> Self {
        self.emm_packages.extend(emm);
        self
    }
}

/// How a package fares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// In the never-block set.
    Protected,
    /// Allowed by a rule or the default.
    Allowed,
    /// A violation.
    Denied,
    /// Would be a violation, but an exception in force permits it.
    Excepted,
}

/// An exception that applied to a package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedException {
    /// The rule it lifts (or `default`).
    pub rule: String,
    /// The device groups it is for.
    pub groups: Vec<String>,
    /// Why it exists.
    pub reason: String,
    /// Who may grant or extend it.
    pub approved_by: Option<String>,
    /// When it ends.
    pub expires: Timestamp,
}

impl AppliedException {
    fn from(e: &Exception) -> Self {
        AppliedException {
            rule: e.rule.clone(),
            groups: e.groups.clone(),
            reason: e.reason.clone(),
            approved_by: e.approved_by.clone(),
            expires: e.expires,
        }
    }
}

/// The decision for one package: the winning rule and what it says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The package.
    pub package: String,
    /// How it fares.
    pub outcome: Outcome,
    /// The rule that decided (`default` for the default), none for protected packages.
    pub rule: Option<String>,
    /// For a denial (or an excepted one): what is done at once.
    pub action: Option<Action>,
    /// For a denial: stronger actions after a grace period.
    pub escalation: Vec<Escalation>,
    /// Why, in one sentence.
    pub reason: Cow<'static, str>,
    /// The rule's message for the employee.
    pub message: Option<String>,
    /// The rule's link for the employee.
    pub link: Option<String>,
    /// The exception that permitted the package.
    pub exception: Option<AppliedException>,
}

impl Decision {
    /// Denied or excepted: worth a line in the compliance record.
    pub(crate) fn is_finding(&self) -> bool {
        matches!(self.outcome, Outcome::Denied | Outcome::Excepted)
    }

    /// The action in force `elapsed_secs` after the finding started, following the escalation.
    pub(crate) fn action_after(&self, elapsed_secs: i64) -> Option<Action> {
        let mut action = self.action?;
        for step in &self.escalation {
            if elapsed_secs >= step.after.secs() {
                action = step.action;
            }
        }
        Some(action)
    }

    /// When the next escalation step is due, given when the finding started.
    pub fn next_escalation(&self, since: Timestamp, now: Timestamp) -> Option<(Timestamp, Action)> {
        self.escalation
            .iter()
            .map(|s| (since.plus(s.after), s.action))
            .find(|(at, _)| *at > now)
    }
}

/// How one matching rule stands, for `explain`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum MatchStatus {
    /// The rule applies to this device.
    Applies,
    /// The rule is limited to tiers this device is not in.
    OutOfScope {
        /// The rule's tiers.
        tiers: Vec<String>,
    },
    /// An exception in force lifts the rule.
    Excepted {
        /// The exception.
        exception: AppliedException,
    },
}

/// A rule that matched a package, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleMatch {
    /// The rule id.
    pub rule: String,
    /// Allow or deny.
    pub effect: Effect,
    /// For denials, the immediate action.
    pub action: Option<Action>,
    /// Each criterion that held.
    pub reasons: Vec<String>,
    /// Whether it counts for this device.
    #[serde(flatten)]
    pub status: MatchStatus,
}

/// Everything that bears on one package: each matching rule and why the winner won.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The decision.
    pub decision: Decision,
    /// Every rule that matched, in policy order.
    pub matches: Vec<RuleMatch>,
    /// Exceptions that would have applied had they not expired.
    pub expired_exceptions: Vec<AppliedException>,
    /// Which step of the precedence decided, in one sentence.
    pub precedence: &'static str,
}

/// The settings that hold for one device: its tiers, mode and default.
#[derive(Clone, Debug)]
pub struct DeviceScope {
    groups: HashSet<String>,
    tiers: HashSet<usize>,
    /// Monitor or enforce, after tiers.
    pub mode: Mode,
    default: DefaultDecision,
    enrolment: Enrolment,
}

/// A policy made ready for fast evaluation.
#[derive(Debug)]
///
/// The indexes use a fast, non-randomised hash: their keys come only from the signed policy, so an
/// app on the device cannot fill them with colliding keys; it can only look one key up.
pub struct Engine {
    policy: Policy,
    by_name: FxHashMap<String, Vec<u32>>,
    by_prefix: FxHashMap<String, Vec<u32>>,
    prefix_lengths: Vec<usize>,
    by_signer: FxHashMap<CertFingerprint, Vec<u32>>,
    unindexed: Vec<u32>,
    publishers_by_country: HashMap<String, Vec<String>>,
}

impl Engine {
    /// Builds the indexes for a (validated) policy.
    pub fn new(policy: Policy) -> Engine {
        let mut publishers_by_country: HashMap<String, Vec<String>> = HashMap::new();
        for (id, p) in &policy.publishers {
            if let Some(c) = &p.country {
                publishers_by_country
                    .entry(c.clone())
                    .or_default()
                    .push(id.clone());
            }
        }
        let mut engine = Engine {
            by_name: FxHashMap::default(),
            by_prefix: FxHashMap::default(),
            prefix_lengths: Vec::new(),
            by_signer: FxHashMap::default(),
            unindexed: Vec::new(),
            publishers_by_country,
            policy,
        };
        for i in 0..engine.policy.rules.len() {
            engine.index_rule(i as u32);
        }
        for ids in engine
            .by_name
            .values_mut()
            .chain(engine.by_prefix.values_mut())
            .chain(engine.by_signer.values_mut())
        {
            ids.dedup();
        }
        engine.prefix_lengths = engine
            .by_prefix
            .keys()
            .map(String::len)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        engine.prefix_lengths.sort_unstable();
        engine
    }

    /// The policy this engine evaluates.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Indexes a rule under the keys of its most selective criterion; the full match is checked
    /// on every candidate, so the index only has to be complete, not exact.
    fn index_rule(&mut self, idx: u32) {
        let Some(rule) = self.policy.rules.get(idx as usize) else {
            return;
        };
        let m = &rule.matcher;
        if !m.packages.is_empty() {
            for name in &m.packages {
                self.by_name.entry(name.clone()).or_default().push(idx);
            }
        } else if !m.signers.is_empty() {
            for d in &m.signers {
                self.by_signer.entry(*d).or_default().push(idx);
            }
        } else if !m.publishers.is_empty() || !m.countries.is_empty() {
            let ids: Vec<String> = if m.publishers.is_empty() {
                m.countries
                    .iter()
                    .flat_map(|c| {
                        self.publishers_by_country
                            .get(c)
                            .cloned()
                            .unwrap_or_default()
                    })
                    .collect()
            } else {
                m.publishers.clone()
            };
            for id in ids {
                if let Some(p) = self.policy.publishers.get(&id) {
                    for name in &p.packages {
                        self.by_name.entry(name.clone()).or_default().push(idx);
                    }
                    for d in &p.certificates {
                        self.by_signer.entry(*d).or_default().push(idx);
                    }
                }
            }
        } else if !m.package_prefixes.is_empty() {
            for prefix in &m.package_prefixes {
                self.by_prefix.entry(prefix.clone()).or_default().push(idx);
            }
        } else {
            self.unindexed.push(idx);
        }
    }

    /// The settings that hold for a device: computed once per scan.
    pub fn scope(&self, enrolment: &Enrolment) -> DeviceScope {
        let groups: HashSet<String> = enrolment.groups.iter().cloned().collect();
        let mut tiers = HashSet::new();
        let mut mode = self.policy.mode;
        let mut default = self.policy.default.clone();
        for (i, tier) in self.policy.tiers.iter().enumerate() {
            if tier.groups.iter().any(|g| groups.contains(g)) {
                tiers.insert(i);
                // Tiers only ever make things stricter; the first stricter default wins.
                if let Some(m) = tier.mode {
                    mode = mode.max(m);
                }
                if let Some(d) = &tier.default
                    && default.effect == Effect::Allow
                    && d.effect == Effect::Deny
                {
                    default = d.clone();
                }
            }
        }
        DeviceScope {
            groups,
            tiers,
            mode,
            default,
            enrolment: enrolment.clone(),
        }
    }

    fn candidates(&self, package: &Package) -> Vec<u32> {
        let mut out: Vec<u32> = self.unindexed.clone();
        if let Some(ids) = self.by_name.get(package.name.as_str()) {
            out.extend_from_slice(ids);
        }
        for &len in &self.prefix_lengths {
            if len > package.name.len() {
                break;
            }
            if let Some(ids) = package.name.get(..len).and_then(|p| self.by_prefix.get(p)) {
                out.extend_from_slice(ids);
            }
        }
        for d in package.all_fingerprints() {
            if let Some(ids) = self.by_signer.get(&d) {
                out.extend_from_slice(ids);
            }
        }
        if out.len() > 1 {
            out.sort_unstable();
            out.dedup();
        }
        out
    }

    /// Whether a rule matches a package; with `reasons`, also says why, criterion by criterion.
    fn matches(
        &self,
        rule: &Rule,
        package: &Package,
        mut reasons: Option<&mut Vec<String>>,
    ) -> bool {
        let m = &rule.matcher;
        // Reasons are built only when asked for (explain, or the winning rule): a scan checks
        // every package against the unindexed rules, and an allocation per check would show.
        let mut say = |text: &dyn Fn() -> String| {
            if let Some(r) = reasons.as_deref_mut() {
                r.push(text());
            }
        };
        if !m.packages.is_empty() {
            if !m.packages.contains(&package.name) {
                return false;
            }
            say(&|| format!("package name `{}` is listed", package.name));
        }
        if !m.package_prefixes.is_empty() {
            match m
                .package_prefixes
                .iter()
                .find(|p| package.name.starts_with(p.as_str()))
            {
                Some(p) => say(&|| format!("package name starts with `{p}`")),
                None => return false,
            }
        }
        if !m.signers.is_empty() {
            match self.signer_hit(&m.signers, package) {
                Some(text) => say(&|| text.clone()),
                None => return false,
            }
        }
        if !m.publishers.is_empty() {
            match m
                .publishers
                .iter()
                .find_map(|id| self.publisher_hit(id, package))
            {
                Some(text) => say(&|| text.clone()),
                None => return false,
            }
        }
        if !m.countries.is_empty() {
            let hit = m.countries.iter().find_map(|c| {
                self.publishers_by_country
                    .get(c)?
                    .iter()
                    .find_map(|id| self.publisher_hit(id, package))
                    .map(|text| format!("publisher is in {c}: {text}"))
            });
            match hit {
                Some(text) => say(&|| text.clone()),
                None => return false,
            }
        }
        // The installer that counts is the one the system recorded as performing the install:
        // an install over adb that claims the managed store is side-loaded.
        let installer = package.effective_installer();
        let listed = |list: &[String]| installer.is_some_and(|i| list.iter().any(|l| l == i));
        if !m.installed_by.is_empty() {
            if !listed(&m.installed_by) {
                return false;
            }
            say(&|| {
                format!(
                    "installed by {}",
                    package.installed_by_text().unwrap_or_default()
                )
            });
        }
        if !m.not_installed_by.is_empty() {
            if listed(&m.not_installed_by) {
                return false;
            }
            say(&|| match package.installed_by_text() {
                Some(i) => format!("installed by {i}, which is not a listed installer"),
                None => "installer unknown, so not a listed installer".to_string(),
            });
        }
        if m.min_version_code
            .is_some_and(|lo| package.version_code < lo)
            || m.max_version_code
                .is_some_and(|hi| package.version_code > hi)
        {
            return false;
        }
        if m.min_version_code.is_some() || m.max_version_code.is_some() {
            say(&|| {
                format!(
                    "version code {} is in the rule's range",
                    package.version_code
                )
            });
        }
        if let Some(kind) = m.app {
            let is = if package.system {
                AppKind::System
            } else {
                AppKind::User
            };
            if is != kind {
                return false;
            }
            say(&|| {
                format!(
                    "it is a {} app",
                    if package.system { "system" } else { "user" }
                )
            });
        }
        true
    }

    /// Which of `digests` the package is signed with, saying by which digest it matched: a SHA-1
    /// match is named as such, since SHA-1 recognises a certificate but cannot vouch for one.
    fn signer_hit(&self, digests: &[CertFingerprint], package: &Package) -> Option<String> {
        let hit = |sha256: &[CertDigest], sha1: &[CertSha1]| {
            sha256
                .iter()
                .map(|d| CertFingerprint::Sha256(*d))
                .chain(sha1.iter().map(|d| CertFingerprint::Sha1(*d)))
                .find(|d| digests.contains(d))
        };
        if let Some(d) = hit(&package.signers, &package.signers_sha1) {
            return Some(format!("signed with certificate {} {d}", d.algorithm()));
        }
        hit(&package.signing_history, &package.signing_history_sha1).map(|d| {
            format!(
                "signing history holds certificate {} {d} (key rotated since)",
                d.algorithm()
            )
        })
    }

    fn publisher_hit(&self, id: &str, package: &Package) -> Option<String> {
        let p = self.policy.publishers.get(id)?;
        let label = match &p.country {
            Some(c) => format!("{} ({c})", p.name),
            None => p.name.clone(),
        };
        if let Some(text) = self.signer_hit(&p.certificates, package) {
            return Some(format!("{text} of publisher {label}"));
        }
        if p.packages.contains(&package.name) {
            return Some(format!(
                "`{}` is a package of publisher {label}",
                package.name
            ));
        }
        None
    }

    fn in_scope(&self, rule: &Rule, scope: &DeviceScope) -> bool {
        rule.tiers.is_empty()
            || rule.tiers.iter().any(|t| {
                self.policy
                    .tiers
                    .iter()
                    .position(|x| x.name == *t)
                    .is_some_and(|i| scope.tiers.contains(&i))
            })
    }

    /// The exception in force for this rule, package and device; or, with `expired`, one that
    /// would have applied but has ended.
    fn exception_for(
        &self,
        rule: &str,
        package: &str,
        scope: &DeviceScope,
        now: Timestamp,
        expired: bool,
    ) -> Option<&Exception> {
        self.policy.exceptions.iter().find(|e| {
            e.rule == rule
                && (e.packages.is_empty() || e.packages.iter().any(|p| p == package))
                && e.groups.iter().any(|g| scope.groups.contains(g))
                && ((e.expires > now) != expired)
        })
    }

    /// The decision for one package (the path used right after an install).
    pub fn decide(&self, package: &Package, scope: &DeviceScope, now: Timestamp) -> Decision {
        self.evaluate_one(package, scope, now, false).decision
    }

    /// Every rule that matched a package, and why the winner won.
    pub fn explain(&self, package: &Package, scope: &DeviceScope, now: Timestamp) -> Explanation {
        self.evaluate_one(package, scope, now, true)
    }

    /// Decisions for every package, sorted by package name.
    pub fn evaluate<'a>(
        &self,
        packages: impl IntoIterator<Item = &'a Package>,
        scope: &DeviceScope,
        now: Timestamp,
    ) -> Vec<Decision> {
        let mut out: Vec<Decision> = packages
            .into_iter()
            .map(|p| self.decide(p, scope, now))
            .collect();
        out.sort_unstable_by(|a, b| a.package.cmp(&b.package));
        out
    }

    fn evaluate_one(
        &self,
        package: &Package,
        scope: &DeviceScope,
        now: Timestamp,
        explain: bool,
    ) -> Explanation {
        let mut matches = Vec::new();
        let mut expired = Vec::new();
        let base = |outcome, reason: Cow<'static, str>| Decision {
            package: package.name.clone(),
            outcome,
            rule: None,
            action: None,
            escalation: Vec::new(),
            reason,
            message: None,
            link: None,
            exception: None,
        };

        let protection = protected::protection(package, &scope.enrolment);
        if let protected::Protection::Protected(why) = protection {
            let decision = base(Outcome::Protected, format!("never blocked: {why}").into());
            if explain {
                // Still show what the policy would have said, so a wrong policy is visible.
                for idx in self.candidates(package) {
                    self.collect_match(idx, package, scope, now, &mut matches, &mut expired);
                }
            }
            return Explanation {
                decision,
                matches,
                expired_exceptions: expired,
                precedence: "1. the never-block set wins over every rule",
            };
        }

        // Walk the candidate rules once: live denials, excepted denials, allows.
        let mut best_deny: Option<(&Rule, usize)> = None;
        let mut first_exception: Option<&Exception> = None;
        let mut first_allow: Option<&Rule> = None;
        for idx in self.candidates(package) {
            let Some(rule) = self.policy.rules.get(idx as usize) else {
                continue;
            };
            if explain {
                self.collect_match(idx, package, scope, now, &mut matches, &mut expired);
            }
            if !self.in_scope(rule, scope) || !self.matches(rule, package, None) {
                continue;
            }
            match rule.effect {
                Effect::Deny => {
                    if let Some(e) = self.exception_for(&rule.id, &package.name, scope, now, false)
                    {
                        first_exception.get_or_insert(e);
                        continue;
                    }
                    let stronger = match best_deny {
                        None => true,
                        Some((b, bi)) => {
                            strength(rule) > strength(b)
                                || (strength(rule) == strength(b) && (idx as usize) < bi)
                        }
                    };
                    if stronger {
                        best_deny = Some((rule, idx as usize));
                    }
                }
                Effect::Allow => {
                    first_allow.get_or_insert(rule);
                }
            }
        }

        let (decision, precedence) = if let Some((rule, _)) = best_deny {
            let mut why = Vec::new();
            self.matches(rule, package, Some(&mut why));
            (
                Decision {
                    outcome: Outcome::Denied,
                    rule: Some(rule.id.clone()),
                    action: rule.action,
                    escalation: rule.escalation.clone(),
                    message: rule.message.clone(),
                    link: rule.link.clone(),
                    ..base(
                        Outcome::Denied,
                        format!("rule `{}`: {}", rule.id, why.join("; ")).into(),
                    )
                },
                "2-3. a deny rule in force wins over allow rules and the default; of several, the strongest action, then the rule written first",
            )
        } else if let Some(e) = first_exception {
            let rule = self.policy.rule(&e.rule);
            (
                Decision {
                    outcome: Outcome::Excepted,
                    rule: Some(e.rule.clone()),
                    action: rule.and_then(|r| r.action),
                    message: rule.and_then(|r| r.message.clone()),
                    link: rule.and_then(|r| r.link.clone()),
                    exception: Some(AppliedException::from(e)),
                    ..base(
                        Outcome::Excepted,
                        format!(
                            "rule `{}` matches, but an exception for {} holds until {}: {}",
                            e.rule,
                            e.groups.join(", "),
                            e.expires,
                            e.reason
                        )
                        .into(),
                    )
                },
                "4. an exception in force lifts the rule it names and permits the package",
            )
        } else if let Some(rule) = first_allow {
            let mut why = Vec::new();
            self.matches(rule, package, Some(&mut why));
            (
                Decision {
                    rule: Some(rule.id.clone()),
                    ..base(
                        Outcome::Allowed,
                        format!("allowed by rule `{}`: {}", rule.id, why.join("; ")).into(),
                    )
                },
                "5. an allow rule in force permits the package when no deny rule is in force",
            )
        } else {
            self.default_decision(package, scope, now, &base, &mut expired, explain)
        };
        let (decision, precedence) = match protection {
            protected::Protection::LookAlike(why) => look_alike(decision, precedence, why),
            _ => (decision, precedence),
        };
        Explanation {
            decision,
            matches,
            expired_exceptions: expired,
            precedence,
        }
    }

    fn default_decision(
        &self,
        package: &Package,
        scope: &DeviceScope,
        now: Timestamp,
        base: &dyn Fn(Outcome, Cow<'static, str>) -> Decision,
        expired: &mut Vec<AppliedException>,
        explain: bool,
    ) -> (Decision, &'static str) {
        let d = &scope.default;
        let step = "6. no rule in force matches, so the default decides";
        if d.effect == Effect::Allow {
            return (
                Decision {
                    rule: Some(DEFAULT_RULE.into()),
                    ..base(
                        Outcome::Allowed,
                        "no rule matches; the policy allows by default".into(),
                    )
                },
                step,
            );
        }
        if package.system {
            return (
                Decision {
                    rule: Some(DEFAULT_RULE.into()),
                    ..base(Outcome::Allowed, "system app: the allow-list does not apply to the platform's own apps unless a rule names them".into())
                },
                step,
            );
        }
        let denied = Decision {
            rule: Some(DEFAULT_RULE.into()),
            action: d.action,
            escalation: d.escalation.clone(),
            message: d.message.clone(),
            link: d.link.clone(),
            ..base(
                Outcome::Denied,
                "no allow rule names this app and the policy is an allow-list".into(),
            )
        };
        if explain
            && let Some(e) = self.exception_for(DEFAULT_RULE, &package.name, scope, now, true)
        {
            expired.push(AppliedException::from(e));
        }
        match self.exception_for(DEFAULT_RULE, &package.name, scope, now, false) {
            Some(e) => (
                Decision {
                    outcome: Outcome::Excepted,
                    exception: Some(AppliedException::from(e)),
                    reason: format!(
                        "not on the allow-list, but an exception for {} holds until {}: {}",
                        e.groups.join(", "),
                        e.expires,
                        e.reason
                    )
                    .into(),
                    ..denied
                },
                "4. an exception in force lifts the default and permits the package",
            ),
            None => (denied, step),
        }
    }

    fn collect_match(
        &self,
        idx: u32,
        package: &Package,
        scope: &DeviceScope,
        now: Timestamp,
        out: &mut Vec<RuleMatch>,
        expired: &mut Vec<AppliedException>,
    ) {
        let Some(rule) = self.policy.rules.get(idx as usize) else {
            return;
        };
        let mut reasons = Vec::new();
        if !self.matches(rule, package, Some(&mut reasons)) {
            return;
        }
        let status = if !self.in_scope(rule, scope) {
            MatchStatus::OutOfScope {
                tiers: rule.tiers.clone(),
            }
        } else if let Some(e) = (rule.effect == Effect::Deny)
            .then(|| self.exception_for(&rule.id, &package.name, scope, now, false))
            .flatten()
        {
            MatchStatus::Excepted {
                exception: AppliedException::from(e),
            }
        } else {
            if rule.effect == Effect::Deny
                && let Some(e) = self.exception_for(&rule.id, &package.name, scope, now, true)
            {
                expired.push(AppliedException::from(e));
            }
            MatchStatus::Applies
        };
        out.push(RuleMatch {
            rule: rule.id.clone(),
            effect: rule.effect,
            action: rule.action,
            reasons,
            status,
        });
    }
}

/// A look-alike is judged like any other app, and is a finding of its own: when nothing else
/// denies it, it is reported (never blocked on a name alone: the real package may simply be
/// missing from this model of phone); when a rule denies it, the reason says it is a look-alike.
fn look_alike(
    decision: Decision,
    precedence: &'static str,
    why: &'static str,
) -> (Decision, &'static str) {
    match decision.outcome {
        Outcome::Denied | Outcome::Excepted => (
            Decision {
                reason: format!("{}; and {why}", decision.reason).into(),
                ..decision
            },
            precedence,
        ),
        _ => (
            Decision {
                outcome: Outcome::Denied,
                rule: Some(crate::policy::LOOK_ALIKE_RULE.into()),
                action: Some(Action::Report),
                escalation: Vec::new(),
                reason: format!("look-alike: {why}").into(),
                message: None,
                link: None,
                exception: None,
                ..decision
            },
            "1. a user app carrying a protected name is not protected; it is reported as a look-alike",
        ),
    }
}

/// How hard a deny rule bites: its strongest action, then its immediate one.
fn strength(rule: &Rule) -> (Option<Action>, Option<Action>) {
    let last = rule.escalation.last().map(|s| s.action).or(rule.action);
    (last, rule.action)
}
