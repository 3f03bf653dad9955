//! The report's own words in the organisation's language, and its times in the organisation's
//! zone beside UTC. A policy's `[report]` section chooses them (`language = "nl"`,
//! `time_zone = "Europe/Amsterdam"`); the rule messages are the organisation's already.

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// How the report speaks: `[report]` in the policy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    /// The language of the report's own words.
    #[serde(default, skip_serializing_if = "Language::is_default")]
    pub language: Language,
    /// The organisation's time zone (an IANA name such as `Europe/Amsterdam`): times are shown
    /// in it beside UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

impl ReportSettings {
    /// Asks for nothing (English, UTC only).
    pub fn is_default(&self) -> bool {
        *self == ReportSettings::default()
    }

    /// Why these settings cannot be used, if they cannot.
    pub(crate) fn problem(&self) -> Option<String> {
        let zone = self.time_zone.as_ref()?;
        jiff::tz::TimeZone::get(zone).err().map(|_| {
            format!("`{zone}` is not a time zone name (an IANA name such as Europe/Amsterdam)")
        })
    }

    /// A time in the organisation's zone beside UTC ("2026-11-30 11:11 CET (2026-11-30T10:11:00Z)"),
    /// or UTC alone.
    pub fn time(&self, at: Timestamp) -> String {
        let utc = at.to_string();
        let Some(zone) = self
            .time_zone
            .as_ref()
            .and_then(|z| jiff::tz::TimeZone::get(z).ok())
        else {
            return utc;
        };
        match jiff::Timestamp::from_second(at.unix()) {
            Ok(ts) => {
                let local = ts.to_zoned_datetime(zone);
                // UTC in full beside it: near midnight the dates differ.
                format!("{} ({utc})", local.strftime("%Y-%m-%d %H:%M %Z"))
            }
            Err(_) => utc,
        }
    }
}

/// A language the report speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English.
    #[default]
    En,
    /// Dutch.
    Nl,
}

impl Language {
    fn is_default(&self) -> bool {
        *self == Language::En
    }

    /// The HTML `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Nl => "nl",
        }
    }

    /// The report's words in this language.
    pub fn words(self) -> &'static Words {
        match self {
            Language::En => &EN,
            Language::Nl => &NL,
        }
    }
}

/// Every word the HTML report writes itself.
#[allow(missing_docs)]
pub struct Words {
    pub title: &'static str,
    pub generated: &'static str,
    pub device: &'static str,
    pub groups: &'static str,
    pub management: &'static str,
    pub compliant: &'static str,
    pub not_compliant: &'static str,
    pub policy: &'static str,
    pub version: &'static str,
    pub mode: &'static str,
    pub expires: &'static str,
    pub never: &'static str,
    pub expired: &'static str,
    pub rules_hash: &'static str,
    pub source: &'static str,
    pub last_sync: &'static str,
    pub sync_failed: &'static str,
    pub sync_ok: &'static str,
    pub never_synced: &'static str,
    pub violations: &'static str,
    pub app: &'static str,
    pub rule: &'static str,
    pub action: &'static str,
    pub since: &'static str,
    pub why: &'static str,
    pub employee_told: &'static str,
    pub could_not_be_told: &'static str,
    pub emm_asked: &'static str,
    pub exceptions: &'static str,
    pub apps: &'static str,
    pub reason: &'static str,
    pub approved_by: &'static str,
    pub not_recorded: &'static str,
    pub until: &'static str,
    pub recent_scans: &'static str,
    pub when: &'static str,
    pub trigger: &'static str,
    pub packages: &'static str,
    pub steps_failed: &'static str,
    pub recent_enforcement: &'static str,
    pub step: &'static str,
    pub result: &'static str,
    pub clock_problem: &'static str,
    pub store_recovered: &'static str,
}

static EN: Words = Words {
    title: "Appwacht compliance report",
    generated: "Generated",
    device: "Device",
    groups: "groups",
    management: "Management",
    compliant: "COMPLIANT",
    not_compliant: "NOT COMPLIANT",
    policy: "Policy",
    version: "version",
    mode: "Mode",
    expires: "Expires",
    never: "never",
    expired: "expired",
    rules_hash: "Rules hash",
    source: "Source",
    last_sync: "Last sync",
    sync_failed: "failed",
    sync_ok: "ok at",
    never_synced: "never synced; the policy was loaded from a file",
    violations: "Violations",
    app: "App",
    rule: "Rule",
    action: "Action",
    since: "Since",
    why: "Why",
    employee_told: "Employee is told",
    could_not_be_told: "Could not be told",
    emm_asked: "The EMM is asked to",
    exceptions: "Exceptions in force",
    apps: "Apps",
    reason: "Reason",
    approved_by: "Approved by",
    not_recorded: "not recorded",
    until: "Until",
    recent_scans: "Recent scans",
    when: "When",
    trigger: "Trigger",
    packages: "Packages",
    steps_failed: "Steps (failed)",
    recent_enforcement: "Recent enforcement",
    step: "Step",
    result: "Result",
    clock_problem: "Clock problem",
    store_recovered: "Store recovered",
};

static NL: Words = Words {
    title: "Appwacht-nalevingsrapport",
    generated: "Gemaakt",
    device: "Toestel",
    groups: "groepen",
    management: "Beheer",
    compliant: "VOLDOET",
    not_compliant: "VOLDOET NIET",
    policy: "Beleid",
    version: "versie",
    mode: "Modus",
    expires: "Verloopt",
    never: "nooit",
    expired: "verlopen",
    rules_hash: "Hash van de regels",
    source: "Bron",
    last_sync: "Laatste synchronisatie",
    sync_failed: "mislukt",
    sync_ok: "gelukt om",
    never_synced: "nooit gesynchroniseerd; het beleid komt uit een bestand",
    violations: "Overtredingen",
    app: "App",
    rule: "Regel",
    action: "Maatregel",
    since: "Sinds",
    why: "Waarom",
    employee_told: "Melding aan de medewerker",
    could_not_be_told: "Kon niet worden gemeld",
    emm_asked: "Het EMM is gevraagd om",
    exceptions: "Geldende uitzonderingen",
    apps: "Apps",
    reason: "Reden",
    approved_by: "Goedgekeurd door",
    not_recorded: "niet vastgelegd",
    until: "Tot",
    recent_scans: "Recente controles",
    when: "Wanneer",
    trigger: "Aanleiding",
    packages: "Pakketten",
    steps_failed: "Stappen (mislukt)",
    recent_enforcement: "Recente handhaving",
    step: "Stap",
    result: "Resultaat",
    clock_problem: "Probleem met de klok",
    store_recovered: "Opslag hersteld",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_the_organisations_zone_beside_utc() {
        let amsterdam = ReportSettings {
            language: Language::Nl,
            time_zone: Some("Europe/Amsterdam".into()),
        };
        // 2026-07-01T10:00:00Z is summer time, 2026-12-01T23:30:00Z winter and the next day there.
        assert_eq!(
            amsterdam.time(Timestamp::from_unix(1_782_900_000)),
            "2026-07-01 12:00 CEST (2026-07-01T10:00:00Z)"
        );
        assert_eq!(
            amsterdam.time(Timestamp::from_unix(1_796_167_800)),
            "2026-12-02 00:30 CET (2026-12-01T23:30:00Z)"
        );
        assert_eq!(
            ReportSettings::default().time(Timestamp::from_unix(1_782_900_000)),
            "2026-07-01T10:00:00Z"
        );
        assert!(
            ReportSettings {
                time_zone: Some("Mars/Olympus".into()),
                ..amsterdam
            }
            .problem()
            .is_some()
        );
    }
}
