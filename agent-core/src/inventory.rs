//! What is installed on a device: the packages the engine judges and the device they are on.

use serde::{Deserialize, Serialize};

use crate::digest::{CertDigest, CertFingerprint, CertSha1};
use crate::time::Timestamp;

/// One installed package, as the platform describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Package {
    /// Package name (`com.zhiliaoapp.musically`).
    pub name: String,
    /// Long version code.
    pub version_code: i64,
    /// Human version name.
    #[serde(default)]
    pub version_name: String,
    /// The installer of record (`com.android.vending`), if known. Only a claim: anyone with adb
    /// can set it (`pm install -i com.android.vending`), and an installer can hand it on.
    #[serde(default)]
    pub installer: Option<String>,
    /// The package that really performed the install, as the system recorded it
    /// (`InstallSourceInfo.getInitiatingPackageName`, Android 11+): `com.android.shell` for an
    /// install over adb, whatever installer it claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiating_installer: Option<String>,
    /// The package on whose behalf the install was requested (a browser that downloaded the APK),
    /// if the platform says; provided by the initiating package, not verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub originating_installer: Option<String>,
    /// Part of the system image.
    #[serde(default)]
    pub system: bool,
    /// SHA-256 of each current signing certificate.
    #[serde(default)]
    pub signers: Vec<CertDigest>,
    /// SHA-256 of each certificate in the signing-certificate history (key rotation, APK v3).
    #[serde(default)]
    pub signing_history: Vec<CertDigest>,
    /// SHA-1 of each current signing certificate, where the certificate itself was read (the agent
    /// on the phone, a pulled APK): indicator feeds name certificates by SHA-1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signers_sha1: Vec<CertSha1>,
    /// SHA-1 of each certificate in the signing-certificate history.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signing_history_sha1: Vec<CertSha1>,
    /// First installed.
    pub first_install: Timestamp,
    /// Last updated.
    pub last_update: Timestamp,
    /// Launches are blocked (by anyone).
    #[serde(default)]
    pub suspended: bool,
    /// Hidden (by anyone).
    #[serde(default)]
    pub hidden: bool,
    /// What the employee sees on the home screen ("TikTok"), as the platform reports it
    /// (`PackageManager.getApplicationLabel`). Only shown to people; never matched by a rule,
    /// because any app can call itself anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl Package {
    /// The installer that counts for `installed_by` rules: the system-recorded initiating package
    /// where the platform gives one, else the installer of record.
    pub(crate) fn effective_installer(&self) -> Option<&str> {
        self.initiating_installer
            .as_deref()
            .or(self.installer.as_deref())
    }

    /// How the installer reads in a reason: the effective one, and the claim when it differs.
    fn installer_text(&self, effective: &str) -> String {
        match self.installer.as_deref() {
            Some(claimed) if claimed != effective => {
                format!("`{effective}` (the installer of record claims `{claimed}`)")
            }
            _ => format!("`{effective}`"),
        }
    }

    /// Every certificate the package is or was signed with.
    pub fn all_signers(&self) -> impl Iterator<Item = &CertDigest> {
        self.signers.iter().chain(self.signing_history.iter())
    }

    /// Every fingerprint of every certificate the package is or was signed with, SHA-256 first.
    pub fn all_fingerprints(&self) -> impl Iterator<Item = CertFingerprint> + '_ {
        self.all_signers()
            .map(|d| CertFingerprint::Sha256(*d))
            .chain(
                self.signers_sha1
                    .iter()
                    .chain(&self.signing_history_sha1)
                    .map(|d| CertFingerprint::Sha1(*d)),
            )
    }

    /// The package's signers, current and past, from the DER certificates: both digests of each.
    pub fn set_signers_from_der(&mut self, current: &[Vec<u8>], history: &[Vec<u8>]) {
        self.signers = current.iter().map(|d| CertDigest::of_der(d)).collect();
        self.signers_sha1 = current.iter().map(|d| CertSha1::of_der(d)).collect();
        self.signing_history = history.iter().map(|d| CertDigest::of_der(d)).collect();
        self.signing_history_sha1 = history.iter().map(|d| CertSha1::of_der(d)).collect();
    }

    /// The effective installer as a reason phrase, if known.
    pub(crate) fn installed_by_text(&self) -> Option<String> {
        self.effective_installer().map(|i| self.installer_text(i))
    }
}

/// The device the inventory was taken on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// Stable device id within the organisation.
    pub id: String,
    /// Device groups (roles, departments) from enrolment.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Android SDK level.
    #[serde(default)]
    pub sdk: u32,
    /// Packages in the roles this device cannot work without (default launcher, dialer, SMS app,
    /// keyboard, active device admins), as the phone reports them. Protected when pre-installed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub essentials: Vec<String>,
    /// How the agent is managed here and what it may do; none for a device described by hand
    /// (the host's files), which is judged as if the agent were device owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub powers: Option<crate::powers::Powers>,
}

/// A device and its packages: the host's JSON inventory file has exactly this shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// The device.
    pub device: Device,
    /// Installed packages.
    pub packages: Vec<Package>,
    /// Packages the platform listed but whose details could not be read. They are reported, and
    /// never mistaken for uninstalled ones: their findings and the agent's blocks on them stay.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<Unreadable>,
}

/// A package whose details could not be read, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unreadable {
    /// The package name.
    pub name: String,
    /// What the platform said.
    pub error: String,
}

/// Packages changed since a sequence number (`PackageManager.getChangedPackages`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// The sequence number to ask from next time.
    pub sequence: u32,
    /// Packages added, updated or removed since.
    pub packages: Vec<String>,
}

impl Inventory {
    /// Parses an inventory file, naming `file` and the line and column of any problem.
    pub fn from_json(file: &str, bytes: &[u8]) -> Result<Inventory, crate::Error> {
        let inventory: Inventory =
            serde_json::from_slice(bytes).map_err(|e| crate::Error::Inventory {
                file: file.to_string(),
                reason: format!("line {}, column {}: {e}", e.line(), e.column()),
            })?;
        let mut seen = std::collections::HashSet::new();
        for p in &inventory.packages {
            if !seen.insert(p.name.as_str()) {
                return Err(crate::Error::Inventory {
                    file: file.to_string(),
                    reason: format!("package `{}` is listed twice", p.name),
                });
            }
        }
        Ok(inventory)
    }

    /// The package with this name.
    pub fn package(&self, name: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.name == name)
    }
}
