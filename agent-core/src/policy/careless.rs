//! Warnings for the careless policy: valid, but likely to hit what the administrator did not
//! mean to hit.
//!
//! The never-block set keeps a phone working whatever a policy says, but it is deliberately
//! short: a rule that can match system apps without naming them (only a version range, only
//! `app = "system"`, only an installer, a prefix like `com.android.`) still blocks the camera, the
//! gallery and the vendor's apps on every phone of the fleet. And an allow-list acts on every app
//! it does not name, the EMM's companion apps included, which the device then cannot be managed
//! without. `appwacht policy check` reports these as warnings; `--strict` makes them errors, and
//! `policy sign` refuses what `--strict` refuses unless told `--allow-warnings`.

use super::validate::{Problem, Segment};
use super::{AppKind, Effect, Policy, Rule};
use crate::digest::CertFingerprint;

/// Companion apps of well-known EMMs that an allow-list must not act on, from each vendor's
/// enrolment documentation: the EMM's own agent is configured on the device (and protected), its
/// companions are separate packages.
const EMM_COMPANIONS: &[(&str, &[&str])] = &[
    // Microsoft Intune: Company Portal enrols; the Intune app and Authenticator run alongside.
    (
        "com.microsoft.windowsintune.companyportal",
        &["com.microsoft.intune", "com.azure.authenticator"],
    ),
    (
        "com.microsoft.intune",
        &[
            "com.microsoft.windowsintune.companyportal",
            "com.azure.authenticator",
        ],
    ),
    // Omnissa (VMware) Workspace ONE: the Intelligent Hub, and its launcher for kiosk devices.
    (
        "com.airwatch.androidagent",
        &["com.airwatch.lockdown.launcher"],
    ),
];

/// Warnings for a valid policy; `emm` is the EMM package(s) the devices are configured with.
pub(crate) fn careless(policy: &Policy, emm: &[String]) -> Vec<Problem> {
    let mut out = Vec::new();
    for (i, rule) in policy.rules.iter().enumerate() {
        if rule.effect == Effect::Allow {
            if let Some(what) = allows_by_sha1(policy, rule) {
                out.push(Problem::at(
                    &[Segment::Key("rules".into()), Segment::Index(i)],
                    format!(
                        "rule `{}` allows apps by a SHA-1 certificate digest ({what}): SHA-1 recognises a certificate but cannot vouch for one (collisions can be made), so allow by the SHA-256 digest; SHA-1 is for naming what to deny, as indicator feeds do",
                        rule.id
                    ),
                ));
            }
            continue;
        }
        if let Some(what) = hits_system_apps(rule) {
            let at = vec![
                Segment::Key("rules".into()),
                Segment::Index(i),
                Segment::Key("match".into()),
            ];
            out.push(Problem::at(
                &at,
                format!(
                    "rule `{}` could match system apps without naming them ({what}): it would act on every pre-installed app it matches outside the never-block set, such as the camera, the gallery and the vendor's own apps; name the apps, or add app = \"user\"",
                    rule.id
                ),
            ));
        }
    }
    if policy.default.effect == Effect::Deny {
        for e in emm {
            let companions = EMM_COMPANIONS
                .iter()
                .filter(|(agent, _)| agent == e)
                .flat_map(|(_, c)| c.iter());
            for c in companions {
                if !emm.iter().any(|x| x == c) && !allowed_by_name(policy, c) {
                    out.push(Problem::at(
                        &[Segment::Key("default".into())],
                        format!(
                            "the allow-list would act on `{c}`, a companion app of the configured EMM `{e}`: allow it with a rule, or list it in the device configuration's emm_packages"
                        ),
                    ));
                }
            }
        }
    }
    out
}

/// Where an allow rule trusts a SHA-1 digest, if it does: in its own signers or a publisher's.
fn allows_by_sha1(policy: &Policy, rule: &Rule) -> Option<String> {
    let sha1 =
        |list: &[CertFingerprint]| list.iter().any(|d| matches!(d, CertFingerprint::Sha1(_)));
    if sha1(&rule.matcher.signers) {
        return Some("in its signers".into());
    }
    rule.matcher
        .publishers
        .iter()
        .find(|id| {
            policy
                .publishers
                .get(*id)
                .is_some_and(|p| sha1(&p.certificates))
        })
        .map(|id| format!("publisher `{id}` has one"))
}

/// What makes a deny rule able to match system apps without naming one, if anything does.
fn hits_system_apps(rule: &Rule) -> Option<String> {
    let m = &rule.matcher;
    if m.app == Some(AppKind::User)
        || !m.packages.is_empty()
        || !m.signers.is_empty()
        || !m.publishers.is_empty()
        || !m.countries.is_empty()
    {
        return None;
    }
    if !m.package_prefixes.is_empty() {
        let covered: Vec<&str> = crate::protected::PLATFORM
            .iter()
            .copied()
            .filter(|p| m.package_prefixes.iter().any(|x| p.starts_with(x.as_str())))
            .take(3)
            .collect();
        return (!covered.is_empty()).then(|| {
            format!(
                "its prefix covers platform packages such as {}",
                covered.join(", ")
            )
        });
    }
    let mut only = Vec::new();
    if m.min_version_code.is_some() || m.max_version_code.is_some() {
        only.push("a version range");
    }
    if m.app == Some(AppKind::System) {
        only.push("app = \"system\"");
    }
    if !m.installed_by.is_empty() || !m.not_installed_by.is_empty() {
        only.push("an installer");
    }
    (!only.is_empty()).then(|| format!("it says only {}", only.join(" and ")))
}

/// Whether an allow rule without tiers names this package (exactly or by prefix).
fn allowed_by_name(policy: &Policy, package: &str) -> bool {
    policy.rules.iter().any(|r| {
        r.effect == Effect::Allow
            && r.tiers.is_empty()
            && (r.matcher.packages.iter().any(|p| p == package)
                || r.matcher
                    .package_prefixes
                    .iter()
                    .any(|p| package.starts_with(p.as_str())))
    })
}
