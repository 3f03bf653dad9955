//! The never-block set: packages no policy can act against, however it is written.
//!
//! A wrong policy must not be able to brick a fleet. The agent itself, the organisation's EMM and
//! the platform packages without which a phone cannot be unlocked, make or receive a call, receive
//! an emergency alert, install or update apps, or reach its management server are always allowed,
//! and any block the agent placed on one of them earlier is lifted.
//!
//! The set cannot be borrowed. A name is only a claim: anyone can side-load a user app called
//! `com.miui.home` onto a Samsung. So a platform name protects only a package that is part of the
//! system image (pre-installed); a user app carrying one is judged like any other and reported as a
//! look-alike. The agent is recognised by its signing certificate, and the EMM too when the policy
//! or the configuration gives its certificate.

use crate::digest::CertDigest;
use crate::engine::Enrolment;
use crate::inventory::Package;

/// Platform packages a phone cannot work without, across AOSP, Google and the main vendors. Each
/// protects only a system (pre-installed) package of that name.
pub const PLATFORM: &[&str] = &[
    // The framework, the status bar and lock screen, telephony, settings.
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
    // Installing, updating and granting permissions: without them no fix can be rolled out.
    "com.android.packageinstaller",
    "com.google.android.packageinstaller",
    "com.android.permissioncontroller",
    "com.google.android.permissioncontroller",
    // Enrolment and management.
    "com.android.managedprovisioning",
    // Connectivity: the network stack, tethering, Bluetooth, NFC, secure element.
    "com.android.networkstack",
    "com.google.android.networkstack",
    "com.android.networkstack.tethering",
    "com.google.android.networkstack.tethering",
    "com.android.bluetooth",
    "com.android.nfc",
    "com.android.se",
    // Calls: IMS (VoLTE/VoWiFi, on which many networks carry every call, emergency calls too).
    "com.android.ims",
    "com.sec.imsservice",     // Samsung's IMS service
    "com.shannon.imsservice", // IMS on Samsung Exynos/Shannon modems (Pixel 6 and later)
    "com.qualcomm.qti.ims",   // IMS on Qualcomm modems
    "com.android.carrierconfig",
    "com.android.emergency",
    // Dialers and in-call screens: without the in-call UI a call cannot be answered.
    "com.google.android.dialer",
    "com.android.dialer",
    "com.samsung.android.dialer",
    "com.android.contacts",         // the dialer on Xiaomi's MIUI/HyperOS
    "com.android.incallui",         // the in-call screen on AOSP-based and Xiaomi phones
    "com.samsung.android.incallui", // Samsung's in-call screen
    // Emergency alerts (NL-Alert): the receiver shows them, the service (a mainline module since
    // Android 11) receives them from the modem.
    "com.android.cellbroadcastreceiver",
    "com.google.android.cellbroadcastreceiver",
    "com.android.cellbroadcastservice",
    "com.google.android.cellbroadcastservice",
    // Services the framework calls into.
    "com.android.extservices",
    "com.google.android.ext.services",
    "com.android.externalstorage",
    "com.android.documentsui", // the file picker every "open" and "save" goes through
    "com.google.android.documentsui",
    "com.android.intentresolver", // the share and "open with" sheet (Android 14+)
    "com.android.keychain",
    "com.android.certinstaller",
    "com.android.location.fused",
    "com.android.captiveportallogin", // signing in to a hotel or station Wi-Fi
    "com.google.android.captiveportallogin",
    "com.android.vpndialogs", // the consent dialog of the organisation's VPN
    "com.android.webview",
    "com.google.android.webview",
    // Keyboards: without one no PIN or password can be typed.
    "com.android.inputmethod.latin",
    "com.google.android.inputmethod.latin",
    "com.samsung.android.honeyboard",
    // Launchers: without one the phone shows nothing after unlocking.
    "com.android.launcher3",
    "com.google.android.apps.nexuslauncher",
    "com.sec.android.app.launcher",  // Samsung One UI Home
    "com.miui.home",                 // Xiaomi
    "com.mi.android.globallauncher", // POCO launcher
    "com.motorola.launcher3",        // Motorola
    "net.oneplus.launcher",          // OnePlus (before OxygenOS 12)
    "com.oppo.launcher",             // OPPO ColorOS, and OnePlus on ColorOS's base
    "com.huawei.android.launcher",   // Huawei EMUI
    "com.sonymobile.home",           // Sony Xperia Home
    // Vendor security layers the work profile and the device run on.
    "com.samsung.android.knox.containercore", // Knox container core: the work profile on Samsung
    "com.miui.securitycenter", // Xiaomi's security centre: permissions and app launch control
    // Google Play services and the Play Store: push, location, the managed store.
    "com.google.android.gms",
    "com.google.android.gsf",
    "com.android.vending",
];

/// The package name of this agent's app.
pub(crate) const AGENT_PACKAGE: &str = "nl.appwacht.agent";

/// What the never-block set says about a package.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Protection {
    /// Never blocked, and why.
    Protected(&'static str),
    /// A user app carrying a protected name without being what the name claims: judged like any
    /// other, and reported as a look-alike, saying why.
    LookAlike(&'static str),
    /// Nothing to say.
    None,
}

/// Whether a name is on the built-in list: one hash look-up, since every package of every scan
/// asks (the list is long enough that a linear search would show in a full scan).
fn is_platform(name: &str) -> bool {
    static SET: std::sync::OnceLock<rustc_hash::FxHashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| PLATFORM.iter().copied().collect())
        .contains(name)
}

fn signed_by(package: &Package, certificates: &[CertDigest]) -> bool {
    package.all_signers().any(|d| certificates.contains(d))
}

/// What the never-block set says about a package on the device this enrolment describes: its agent
/// (by name and certificate), its EMM packages (by certificate too when given) and the packages it
/// cannot work without beyond the built-in list (protected, like the list, only when pre-installed:
/// a user app in a role — a keyboard, a device admin — is exactly what spyware makes itself).
pub(crate) fn protection(package: &Package, set: &Enrolment) -> Protection {
    let name = package.name.as_str();
    if name == set.agent_package {
        return if signed_by(package, &set.agent_certificates) {
            Protection::Protected("it is the compliance agent itself")
        } else {
            Protection::LookAlike("it carries the compliance agent's name but not its certificate")
        };
    }
    if set.emm_packages.iter().any(|e| e == name) {
        return if set.emm_certificates.is_empty() || signed_by(package, &set.emm_certificates) {
            Protection::Protected("it is the organisation's device-management (EMM) app")
        } else {
            Protection::LookAlike(
                "it carries the name of the organisation's EMM app but not the EMM's certificate",
            )
        };
    }
    let platform = is_platform(name);
    let essential = set.device_essentials.iter().any(|d| d == name);
    match (platform || essential, package.system) {
        (true, true) if platform => Protection::Protected("the phone cannot work without it"),
        (true, true) => Protection::Protected(
            "this phone cannot work without it (a role it holds on this device)",
        ),
        (true, false) if platform => Protection::LookAlike(
            "it is a user app carrying the name of a platform package that this phone does not have pre-installed",
        ),
        _ => Protection::None,
    }
}
