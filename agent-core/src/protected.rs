//! The never-block set: packages no policy can act against, however it is written.
//!
//! A wrong policy must not be able to brick a fleet. The agent itself, the organisation's EMM and the
//! platform packages without which a phone cannot be unlocked, dial an emergency number, install
//! or update apps, or reach its management server are always allowed, and any block the agent
//! placed on one of them earlier is lifted.

/// Platform packages a phone cannot work without, across AOSP, Google and the main vendors.
pub const PLATFORM: &[&str] = &[
    "android",
    "com.android.systemui",
    "com.android.phone",
    "com.android.settings",
    "com.android.shell",
    "com.android.providers.settings",
    "com.android.providers.telephony",
    "com.android.providers.media",
    "com.android.providers.media.module",
    "com.google.android.providers.media.module",
    "com.android.providers.downloads",
    "com.android.providers.contacts",
    "com.android.providers.blockednumber",
    "com.android.server.telecom",
    "com.android.packageinstaller",
    "com.google.android.packageinstaller",
    "com.android.permissioncontroller",
    "com.google.android.permissioncontroller",
    "com.android.managedprovisioning",
    "com.android.networkstack",
    "com.google.android.networkstack",
    "com.android.networkstack.tethering",
    "com.google.android.networkstack.tethering",
    "com.android.bluetooth",
    "com.android.nfc",
    "com.android.se",
    "com.android.ims",
    "com.android.carrierconfig",
    "com.android.emergency",
    "com.google.android.dialer",
    "com.android.dialer",
    "com.samsung.android.dialer",
    "com.android.cellbroadcastreceiver",
    "com.google.android.cellbroadcastreceiver",
    "com.android.extservices",
    "com.google.android.ext.services",
    "com.android.externalstorage",
    "com.android.keychain",
    "com.android.certinstaller",
    "com.android.location.fused",
    "com.android.webview",
    "com.google.android.webview",
    "com.android.inputmethod.latin",
    "com.google.android.inputmethod.latin",
    "com.samsung.android.honeyboard",
    "com.android.launcher3",
    "com.google.android.apps.nexuslauncher",
    "com.sec.android.app.launcher",
    "com.miui.home",
    "com.google.android.gms",
    "com.google.android.gsf",
    "com.android.vending",
];

/// The package name of this agent's app.
pub const AGENT_PACKAGE: &str = "nl.appwacht.agent";

/// Why a package can never be blocked, if it cannot.
pub fn protection(package: &str, agent: &str, emm: Option<&str>) -> Option<&'static str> {
    if package == agent {
        Some("it is the compliance agent itself")
    } else if Some(package) == emm {
        Some("it is the organisation's device-management (EMM) app")
    } else if PLATFORM.contains(&package) {
        Some("the phone cannot work without it")
    } else {
        None
    }
}
