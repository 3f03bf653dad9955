//! The device's configuration: what an administrator sets through managed configuration on the
//! phone (or at enrolment), and through a file on the host.

use serde::{Deserialize, Serialize};

use super::dsse::Envelope;
use crate::time::Span;

/// How a device finds and trusts its policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceConfig {
    /// The organisation the device is enrolled with; every document must name it.
    pub organisation: String,
    /// Base URLs of the published files (`root/N.root.json`, `policy.json`), tried in order.
    pub policy_urls: Vec<String>,
    /// The root pinned at enrolment (a DSSE envelope).
    pub pinned_root: Envelope,
    /// The device's groups (roles, departments).
    #[serde(default)]
    pub groups: Vec<String>,
    /// How often to sync and run the full scan.
    #[serde(default = "default_interval")]
    pub sync_interval: Span,
    /// The EMM's package, never blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emm_package: Option<String>,
    /// More EMM packages (its helpers and launcher), never blocked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emm_packages: Vec<String>,
    /// The EMM's signing certificates (SHA-256): when given, a package with an EMM name is
    /// protected only if it carries one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emm_certificates: Vec<crate::CertDigest>,
    /// The agent's signing certificates (SHA-256), for judging on the host: a package with the
    /// agent's name is protected only if it carries one. (On the phone the running app's own.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agent_certificates: Vec<crate::CertDigest>,
    /// PEM certificates of the CAs to trust for the policy servers, instead of the public ones
    /// (the organisation's own CA, pinned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_certificates: Option<String>,
    /// Time allowed for one whole request, including a slow body.
    #[serde(default = "default_timeout")]
    pub request_timeout: Span,
    /// Development only: allow plain `http://` to 127.0.0.1 and localhost (`appwacht demo`).
    /// Trust never comes from the transport, only from signatures; TLS is defence in depth.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_http_loopback: bool,
}

fn default_interval() -> Span {
    Span::from_secs(6 * 3600)
}

fn default_timeout() -> Span {
    Span::from_secs(60)
}

impl DeviceConfig {
    /// The enrolment this configuration gives a device: its groups, and who is never blocked.
    pub fn enrolment(&self) -> crate::Enrolment {
        let mut e =
            crate::Enrolment::in_groups(self.groups.clone()).with_emm(self.emm_package.clone());
        for p in &self.emm_packages {
            if !e.emm_packages.contains(p) {
                e.emm_packages.push(p.clone());
            }
        }
        e.emm_certificates = self.emm_certificates.clone();
        e.agent_certificates = self.agent_certificates.clone();
        e
    }

    /// Parses and checks a configuration (`file` names it in messages).
    pub fn from_json(file: &str, bytes: &[u8]) -> Result<DeviceConfig, crate::Error> {
        let bad = |reason: String| crate::Error::Config {
            file: file.to_string(),
            reason,
        };
        let config: DeviceConfig = serde_json::from_slice(bytes)
            .map_err(|e| bad(format!("line {}, column {}: {e}", e.line(), e.column())))?;
        config.check().map_err(bad)?;
        Ok(config)
    }

    /// Checks the values make sense.
    pub fn check(&self) -> Result<(), String> {
        if self.organisation.trim().is_empty() {
            return Err("organisation: the organisation must be named".into());
        }
        if self.policy_urls.is_empty() {
            return Err("policy_urls: at least one URL is needed".into());
        }
        for (i, url) in self.policy_urls.iter().enumerate() {
            let loopback = url.starts_with("http://127.0.0.1")
                || url.starts_with("http://localhost")
                || url.starts_with("http://[::1]");
            if !(url.starts_with("https://") || (self.allow_http_loopback && loopback)) {
                return Err(format!("policy_urls[{i}]: `{url}` is not an https:// URL"));
            }
        }
        if self.request_timeout.secs() <= 0 {
            return Err("request_timeout: must be longer than zero".into());
        }
        if self.sync_interval.secs() < 60 {
            return Err("sync_interval: must be at least 1m".into());
        }
        Ok(())
    }
}
