//! Device-owner hardening a signed policy may ask for (`[device]`): automatic time, no installs from
//! unknown sources, no debugging features. The core decides what to change; the phone applies it and
//! reads it back. The agent lifts only what it turned on itself, so a setting the EMM made stays.
//!
//! The trust floors never depend on any of this: a phone whose clock the employee can still set is
//! judged by the same time floor as one with automatic time (see `clock.rs`).

use serde::{Deserialize, Serialize};

/// What the policy asks of the device.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceSettings {
    /// The date and time come from the network, and the employee cannot set them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub automatic_time: bool,
    /// No installs from unknown sources (for this user, and from Android 10 for the device).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_unknown_sources: bool,
    /// No USB debugging and no developer options.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_debugging: bool,
}

impl DeviceSettings {
    /// Asks for nothing.
    pub fn is_empty(&self) -> bool {
        *self == DeviceSettings::default()
    }

    /// Whether the policy asks for `setting`.
    pub fn wants(&self, setting: Setting) -> bool {
        match setting {
            Setting::AutomaticTime => self.automatic_time,
            Setting::NoUnknownSources => self.no_unknown_sources,
            Setting::NoDebugging => self.no_debugging,
        }
    }
}

/// One hardening setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    /// `setAutoTimeEnabled` (Android 11+) or `setAutoTimeRequired`.
    AutomaticTime,
    /// The user restrictions `no_install_unknown_sources` and `no_install_unknown_sources_globally`.
    NoUnknownSources,
    /// The user restriction `no_debugging_features`.
    NoDebugging,
}

impl Setting {
    /// Every setting.
    pub const ALL: [Setting; 3] = [
        Setting::AutomaticTime,
        Setting::NoUnknownSources,
        Setting::NoDebugging,
    ];

    /// The policy's key.
    pub fn as_str(self) -> &'static str {
        match self {
            Setting::AutomaticTime => "automatic_time",
            Setting::NoUnknownSources => "no_unknown_sources",
            Setting::NoDebugging => "no_debugging",
        }
    }
}

/// What to do about one setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Turn it on (and keep it on: applied again each time, in case someone lifted it).
    On,
    /// Turn it off: the agent had turned it on and the policy no longer asks.
    Off,
    /// Leave it as it is (not asked for, and not the agent's).
    Leave,
}

/// What to change, given what the policy asks and what the agent turned on before.
pub fn plan(wanted: &DeviceSettings, ours: &[Setting]) -> Vec<(Setting, Change)> {
    Setting::ALL
        .iter()
        .map(|&s| {
            let change = if wanted.wants(s) {
                Change::On
            } else if ours.contains(&s) {
                Change::Off
            } else {
                Change::Leave
            };
            (s, change)
        })
        .collect()
}

/// One setting as the phone reported it after the agent acted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingState {
    /// The setting.
    pub setting: Setting,
    /// The policy asks for it.
    pub wanted: bool,
    /// The phone says it is in force (read back, not assumed).
    pub on: bool,
    /// Why the phone refused to change it, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
