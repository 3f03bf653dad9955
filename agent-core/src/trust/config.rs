//! The device's configuration: what an administrator sets through managed configuration on the
//! phone (or at enrolment), and through a file on the host — with **one set of names**, the
//! managed-configuration keys (`res/xml/app_restrictions.xml`), so what is pasted from one into
//! the other works. Both shapes are read: lists as JSON arrays or as one string of lines or
//! commas, the pinned root as an object or as a JSON string, numbers as numbers or strings. An
//! error names the key and never echoes its value (a pinned root is kilobytes).

use serde_json::{Map, Value};

use super::dsse::Envelope;
use crate::time::Span;

/// How a device finds and trusts its policy.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceConfig {
    /// The organisation the device is enrolled with; every document must name it.
    pub organisation: String,
    /// Base URLs of the published files (`root/N.root.json`, `policy.json`), tried in order.
    pub policy_urls: Vec<String>,
    /// The root pinned at enrolment (a DSSE envelope).
    pub pinned_root: Envelope,
    /// The device's groups (roles, departments).
    pub groups: Vec<String>,
    /// How often to sync and run the full scan.
    pub sync_interval: Span,
    /// The EMM's package, never blocked.
    pub emm_package: Option<String>,
    /// More EMM packages (its helpers and launcher), never blocked.
    pub emm_packages: Vec<String>,
    /// The EMM's signing certificates (SHA-256): when given, a package with an EMM name is
    /// protected only if it carries one.
    pub emm_certificates: Vec<crate::CertDigest>,
    /// The agent's signing certificates (SHA-256), for judging on the host: a package with the
    /// agent's name is protected only if it carries one. (On the phone the running app's own.)
    pub agent_certificates: Vec<crate::CertDigest>,
    /// PEM certificates of the CAs to trust for the policy servers, instead of the public ones
    /// (the organisation's own CA, pinned).
    pub ca_certificates: Option<String>,
    /// Time allowed for one whole request, including a slow body.
    pub request_timeout: Span,
    /// Where compliance records go, and how.
    pub records: RecordsConfig,
    /// Development only: allow plain `http://` to 127.0.0.1 and localhost (`appwacht demo`).
    /// Trust never comes from the transport, only from signatures; TLS is defence in depth.
    pub allow_http_loopback: bool,
}

/// Where compliance records go: the managed-configuration keys `syslog_url`, `otlp_logs_url`,
/// `records_token`, `records_client_certificate` and `record_queue_limit`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordsConfig {
    /// Where compliance records go as syslog over TLS (RFC 5425): `syslog+tls://host:6514`.
    pub syslog_url: Option<String>,
    /// Where compliance records go as OpenTelemetry logs (OTLP/HTTP JSON):
    /// `https://collector:4318/v1/logs`.
    pub otlp_logs_url: Option<String>,
    /// A bearer token sent to the OTLP receiver (`Authorization: Bearer …`).
    pub token: Option<String>,
    /// A client certificate for the record sinks: PEM holding the certificate (chain) and its
    /// private key.
    pub client_certificate: Option<String>,
    /// How many records wait at most before routine ones are given up.
    pub queue_limit: Option<u64>,
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

    /// Parses and checks a configuration (`file` names it in messages): the managed-configuration
    /// keys, in either shape (see the module note).
    pub fn from_json(file: &str, bytes: &[u8]) -> Result<DeviceConfig, crate::Error> {
        let bad = |reason: String| crate::Error::Config {
            file: file.to_string(),
            reason,
        };
        let value: Value = serde_json::from_slice(bytes).map_err(|e| {
            bad(format!(
                "line {}, column {}: not JSON ({})",
                e.line(),
                e.column(),
                match e.classify() {
                    serde_json::error::Category::Eof => "it ends too early",
                    _ => "a syntax error",
                }
            ))
        })?;
        let Value::Object(map) = value else {
            return Err(bad(
                "the configuration is one JSON object of keys (docs/DEPLOYMENT.md lists them)"
                    .into(),
            ));
        };
        let config = Keys(&map).config().map_err(bad)?;
        config.check().map_err(bad)?;
        Ok(config)
    }

    /// The configuration as JSON, with the managed configuration's keys (what `from_json` reads
    /// back, and what an EMM console's JSON editor takes).
    pub fn to_json(&self) -> Vec<u8> {
        let mut m = Map::new();
        let mut put = |k: &str, v: Value| {
            if !v.is_null() && v != Value::Array(Vec::new()) && v != Value::Bool(false) {
                m.insert(k.to_string(), v);
            }
        };
        put("organisation", self.organisation.clone().into());
        put("policy_urls", self.policy_urls.clone().into());
        put(
            "pinned_root",
            serde_json::from_slice(&self.pinned_root.to_json()).unwrap_or(Value::Null),
        );
        put("device_groups", self.groups.clone().into());
        put(
            "sync_interval_minutes",
            (self.sync_interval.secs() / 60).into(),
        );
        put("emm_package", self.emm_package.clone().into());
        put("emm_packages", self.emm_packages.clone().into());
        let digests = |d: &[crate::CertDigest]| -> Value {
            d.iter().map(|c| Value::String(c.to_string())).collect()
        };
        put("emm_certificates", digests(&self.emm_certificates));
        put("agent_certificates", digests(&self.agent_certificates));
        put("ca_certificates", self.ca_certificates.clone().into());
        put(
            "request_timeout_seconds",
            self.request_timeout.secs().into(),
        );
        put("syslog_url", self.records.syslog_url.clone().into());
        put("otlp_logs_url", self.records.otlp_logs_url.clone().into());
        put("records_token", self.records.token.clone().into());
        put(
            "records_client_certificate",
            self.records.client_certificate.clone().into(),
        );
        put("record_queue_limit", self.records.queue_limit.into());
        put("allow_http_loopback", self.allow_http_loopback.into());
        serde_json::to_vec_pretty(&Value::Object(m)).unwrap_or_default()
    }

    /// The keys an administrator sets on the phone (its managed configuration,
    /// `res/xml/app_restrictions.xml`); the host's own keys follow them in [`KEYS`].
    pub fn managed_keys() -> Vec<&'static str> {
        KEYS.iter()
            .take_while(|k| **k != FIRST_HOST_KEY)
            .copied()
            .collect()
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
            if !(url.starts_with("https://") || (self.allow_http_loopback && is_loopback_http(url)))
            {
                return Err(format!("policy_urls[{i}]: `{url}` is not an https:// URL"));
            }
        }
        if let Some(url) = &self.records.otlp_logs_url
            && !(url.starts_with("https://") || (self.allow_http_loopback && is_loopback_http(url)))
        {
            return Err(format!("otlp_logs_url: `{url}` is not an https:// URL"));
        }
        if let Some(url) = &self.records.syslog_url {
            crate::records::syslog_address(url).map_err(|e| format!("syslog_url: {e}"))?;
        }
        if let Some(pem) = &self.records.client_certificate
            && !(pem.contains("-----BEGIN CERTIFICATE-----") && pem.contains("PRIVATE KEY-----"))
        {
            return Err("records_client_certificate: expected PEM holding a certificate and its private key".into());
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

fn is_loopback_http(url: &str) -> bool {
    url.starts_with("http://127.0.0.1")
        || url.starts_with("http://localhost")
        || url.starts_with("http://[::1]")
}

/// Every key a configuration may hold: the managed configuration's, and the host's own.
pub(crate) const KEYS: &[&str] = &[
    "organisation",
    "policy_urls",
    "pinned_root",
    "device_id",
    "device_groups",
    "sync_interval_minutes",
    "emm_package",
    "ca_certificates",
    "request_timeout_seconds",
    "report_history",
    "support_message",
    "watch_in_foreground",
    "syslog_url",
    "otlp_logs_url",
    "records_token",
    "records_client_certificate",
    "record_queue_limit",
    // The host's (judging on a computer; on the phone they come from the phone itself).
    FIRST_HOST_KEY,
    "emm_certificates",
    "agent_certificates",
    "allow_http_loopback",
];

/// The first of the host's own keys in [`KEYS`].
const FIRST_HOST_KEY: &str = "emm_packages";

/// Names an earlier host format used, read as the key they stand for.
const OLD_NAMES: &[(&str, &str)] = &[
    ("groups", "device_groups"),
    ("sync_interval", "sync_interval_minutes"),
    ("request_timeout", "request_timeout_seconds"),
];

/// The keys of one configuration, read leniently in shape and strictly in name.
struct Keys<'a>(&'a Map<String, Value>);

impl Keys<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null()).or_else(|| {
            OLD_NAMES
                .iter()
                .find(|(_, new)| *new == key)
                .and_then(|(old, _)| self.0.get(*old))
                .filter(|v| !v.is_null())
        })
    }

    fn text(&self, key: &str) -> Result<Option<String>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
            Some(v) => Err(format!("{key}: expected text, found {}", kind(v))),
        }
    }

    /// A list: a JSON array of strings, or one string of lines or commas.
    fn list(&self, key: &str) -> Result<Vec<String>, String> {
        let items: Vec<String> = match self.get(key) {
            None => Vec::new(),
            Some(Value::String(s)) => s.split([',', '\n']).map(str::to_string).collect(),
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(format!("{key}[{i}]: expected text, found {}", kind(other))),
                })
                .collect::<Result<_, _>>()?,
            Some(v) => Err(format!(
                "{key}: expected a list (a JSON array, or one string with a line or a comma between items), found {}",
                kind(v)
            ))?,
        };
        Ok(items
            .into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect())
    }

    /// A whole number in `range`: a JSON number or a string holding one.
    fn number(
        &self,
        key: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<Option<i64>, String> {
        let n = match self.get(key) {
            None => return Ok(None),
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            Some(v) => return Err(format!("{key}: expected a whole number, found {}", kind(v))),
        };
        match n {
            Some(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(format!(
                "{key}: expected a whole number from {} to {}",
                range.start(),
                range.end()
            )),
        }
    }

    /// A span: the key's number of `unit` seconds, or the old host name's text ("6h", "60s").
    fn span(
        &self,
        key: &str,
        unit: i64,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<Option<Span>, String> {
        let old = OLD_NAMES
            .iter()
            .find(|(_, new)| *new == key)
            .map(|(o, _)| *o);
        if self.0.get(key).is_none()
            && let Some(old) = old
            && let Some(Value::String(text)) = self.0.get(old)
        {
            return Span::parse(text)
                .map(Some)
                .map_err(|_| format!("{old}: expected a duration such as 6h or 90m"));
        }
        Ok(self.number(key, range)?.map(|n| Span::from_secs(n * unit)))
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(format!("{key}: expected true or false, found {}", kind(v))),
        }
    }

    fn digests(&self, key: &str) -> Result<Vec<crate::CertDigest>, String> {
        self.list(key)?
            .iter()
            .enumerate()
            .map(|(i, d)| {
                crate::CertDigest::parse(d).map_err(|_| {
                    format!("{key}[{i}]: not a SHA-256 certificate digest (64 hex digits)")
                })
            })
            .collect()
    }

    fn config(&self) -> Result<DeviceConfig, String> {
        for key in self.0.keys() {
            if !KEYS.contains(&key.as_str()) && !OLD_NAMES.iter().any(|(old, _)| old == key) {
                let close = crate::words::closest(key, KEYS, 3)
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                return Err(format!(
                    "unknown key `{}`{close} (the keys are those of docs/DEPLOYMENT.md: {})",
                    key.chars().take(60).collect::<String>(),
                    KEYS.join(", ")
                ));
            }
        }
        let organisation = self
            .text("organisation")?
            .ok_or("organisation: the organisation must be named")?;
        let pinned_root = match self.get("pinned_root") {
            None => return Err("pinned_root: the pinned root (root.1.json) is missing".into()),
            Some(Value::String(text)) => Envelope::parse(text.trim().as_bytes()),
            Some(v @ Value::Object(_)) => Envelope::parse(v.to_string().as_bytes()),
            Some(v) => return Err(format!("pinned_root: expected the root document (an object, or a JSON string holding one), found {}", kind(v))),
        }
        .map_err(|e| format!("pinned_root: not a signed root document ({})", first_words(&e.to_string())))?;
        Ok(DeviceConfig {
            organisation,
            policy_urls: self.list("policy_urls")?,
            pinned_root,
            groups: self.list("device_groups")?,
            sync_interval: self
                .span("sync_interval_minutes", 60, 1..=10_080)?
                .unwrap_or_else(default_interval),
            emm_package: self.text("emm_package")?,
            emm_packages: self.list("emm_packages")?,
            emm_certificates: self.digests("emm_certificates")?,
            agent_certificates: self.digests("agent_certificates")?,
            ca_certificates: self.text("ca_certificates")?,
            request_timeout: self
                .span("request_timeout_seconds", 1, 1..=3600)?
                .unwrap_or_else(default_timeout),
            records: RecordsConfig {
                syslog_url: self.text("syslog_url")?,
                otlp_logs_url: self.text("otlp_logs_url")?,
                token: self.text("records_token")?,
                client_certificate: self.text("records_client_certificate")?,
                queue_limit: self
                    .number("record_queue_limit", 100..=1_000_000)?
                    .map(|n| n as u64),
            },
            allow_http_loopback: self.boolean("allow_http_loopback")?.unwrap_or(false),
        })
        .and_then(|c| {
            // Phone-only keys are read for their shape, so a mistake shows here too.
            self.text("device_id")?;
            self.number("report_history", 1..=1000)?;
            self.text("support_message")?;
            self.boolean("watch_in_foreground")?;
            Ok(c)
        })
    }
}

/// What a JSON value is, in words (never the value itself).
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The start of a message, cut so that no long value reaches the user.
fn first_words(text: &str) -> String {
    let cut: String = text.chars().take(120).collect();
    if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    }
}
