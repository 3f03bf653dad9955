//! The device's side on the host: sync from the published files, status.

use std::io::Write;
use std::path::Path;

use agent_core::trust::DeviceConfig;
use agent_core::trust::HttpTransport;
use agent_core::trust::{PolicyChange, SyncReport, sync};
use agent_core::{Store, Timestamp};

use crate::Failure;
use crate::commands::{open_existing, read};

pub(crate) fn load_config(path: &Path) -> Result<DeviceConfig, Failure> {
    Ok(DeviceConfig::from_json(
        &path.display().to_string(),
        &read(path, "device configuration")?,
    )?)
}

/// The HTTPS transport a device configuration describes; a bad CA or URL names the file.
pub(crate) fn transport(
    config: &DeviceConfig,
    config_path: &Path,
) -> Result<HttpTransport, Failure> {
    HttpTransport::new(config).map_err(|e| Failure::new(format!("{}: {e}", config_path.display())))
}

/// A transport that says what it fetched, so a sync walking many root versions shows progress.
struct Progress<'a, T> {
    inner: T,
    err: &'a mut dyn Write,
}

impl<T: agent_core::trust::Transport> agent_core::trust::Transport for Progress<'_, T> {
    fn get(
        &mut self,
        url: &str,
        if_none_match: Option<&str>,
        cap: u64,
    ) -> Result<agent_core::trust::Response, agent_core::trust::TransportError> {
        let result = self.inner.get(url, if_none_match, cap);
        let _ = match &result {
            Ok(r) => writeln!(
                self.err,
                "GET {url}: HTTP {} ({} bytes)",
                r.status,
                r.body.len()
            ),
            Err(e) => writeln!(self.err, "GET {url}: {e}"),
        };
        result
    }
}

pub(crate) fn run_sync(
    config_path: &Path,
    db: &Path,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, Failure> {
    let config = load_config(config_path)?;
    let mut store = Store::open(db)?;
    let mut transport = Progress {
        inner: transport(&config, config_path)?,
        err,
    };
    match sync(&mut store, &config, &mut transport, Timestamp::now()) {
        Ok(report) => {
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                )?;
            } else {
                write!(out, "{}", render_sync(&report))?;
            }
            Ok(0)
        }
        Err(e) => {
            let stale = agent_core::status(&store, Timestamp::now())?.to_text();
            Err(Failure::new(format!("{e}\n{stale}")))
        }
    }
}

pub(crate) fn render_sync(r: &SyncReport) -> String {
    let mut o = String::new();
    for (m, e) in &r.failed_mirrors {
        o.push_str(&format!("mirror {m} failed: {e}\n"));
    }
    let policy = match &r.policy {
        PolicyChange::Unchanged => "policy unchanged (304)".to_string(),
        PolicyChange::SameVersion { version } => {
            format!("policy version {version} again: nothing to do")
        }
        PolicyChange::Updated { from: Some(f), to } => {
            format!("policy updated from version {f} to {to}")
        }
        PolicyChange::Updated { from: None, to } => format!("policy version {to} installed"),
    };
    let list: Vec<String> = r.new_roots.iter().map(|v| v.to_string()).collect();
    let roots = match list.len() {
        0 => String::new(),
        1 => format!("; new root version {}", list.join("")),
        _ => format!("; new root versions {}", list.join(", ")),
    };
    o.push_str(&format!(
        "synced from {} at {}: {policy}; root version {}{roots}; {} request(s), {} bytes\n",
        r.mirror, r.now, r.root_version, r.requests, r.bytes
    ));
    o
}

pub(crate) fn status(db: &Path, json: bool, out: &mut dyn Write) -> Result<i32, Failure> {
    let store = open_existing(db)?;
    let now = Timestamp::now();
    if json {
        writeln!(out, "{}", agent_core::status(&store, now)?.to_json())?;
    } else {
        write!(out, "{}", agent_core::status(&store, now)?.to_text())?;
    }
    Ok(0)
}

/// `appwacht config check`: whether a device could use this configuration, and what it says.
pub(crate) fn config_check(path: &Path, json: bool, out: &mut dyn Write) -> Result<i32, Failure> {
    let bytes = read(path, "device configuration")?;
    let config =
        DeviceConfig::from_json(&path.display().to_string(), &bytes).map_err(|e| Failure {
            message: e.to_string(),
            code: crate::EXIT_INVALID,
        })?;
    // A device pins this root at enrolment: it must verify on its own, for this organisation.
    let root =
        agent_core::trust::verify_initial(&config.pinned_root.to_json(), &config.organisation)
            .map_err(|e| Failure {
                message: format!("{}: pinned_root: {e}", path.display()),
                code: crate::EXIT_INVALID,
            })?;
    // A record sink that cannot be built (a client key that does not fit its certificate).
    agent_core::records::sinks(&config).map_err(|e| Failure {
        message: format!("{}: {e}", path.display()),
        code: crate::EXIT_INVALID,
    })?;
    let ca = match &config.ca_certificates {
        Some(pem) => format!(
            "pinned to the organisation's CA ({} certificate(s))",
            pem.matches("BEGIN CERTIFICATE").count()
        ),
        None => "the system's trust store".to_string(),
    };
    if json {
        let v = serde_json::json!({
            "valid": true,
            "organisation": config.organisation,
            "policy_urls": config.policy_urls,
            "pinned_root": {"version": root.version, "expires": root.expires.to_string(),
                "root_threshold": root.roles.root.threshold, "root_keys": root.roles.root.keyids.len()},
            "device_groups": config.groups,
            "sync_interval_minutes": config.sync_interval.secs() / 60,
            "request_timeout_seconds": config.request_timeout.secs(),
            "emm_package": config.emm_package,
            "tls": ca,
            "syslog_url": config.records.syslog_url,
            "otlp_logs_url": config.records.otlp_logs_url,
            "record_queue_limit": config.records.queue_limit.unwrap_or(agent_core::retention::RECORDS as u64),
        });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        )?;
        return Ok(0);
    }
    writeln!(
        out,
        "valid: {} with {} mirror(s) ({}); pinned root version {} ({} of {} root keys, expires {})",
        config.organisation,
        config.policy_urls.len(),
        config.policy_urls.join(", "),
        root.version,
        root.roles.root.threshold,
        root.roles.root.keyids.len(),
        root.expires
    )?;
    writeln!(
        out,
        "  groups: {}; sync every {} minutes; requests time out after {} s; TLS: {ca}{}",
        if config.groups.is_empty() {
            "none".to_string()
        } else {
            config.groups.join(", ")
        },
        config.sync_interval.secs() / 60,
        config.request_timeout.secs(),
        config
            .emm_package
            .as_ref()
            .map(|e| format!("; the EMM {e} is never blocked"))
            .unwrap_or_default()
    )?;
    let r = &config.records;
    let sinks: Vec<String> = [
        r.syslog_url
            .as_ref()
            .map(|u| format!("syslog over TLS to {u}")),
        r.otlp_logs_url.as_ref().map(|u| {
            format!(
                "OpenTelemetry logs to {u}{}",
                if r.token.is_some() {
                    " (with a bearer token)"
                } else {
                    ""
                }
            )
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    writeln!(
        out,
        "  compliance records: {}{}; the queue keeps at most {} (docs/FLEET.md)",
        if sinks.is_empty() {
            "kept on the phone (no sink: set syslog_url or otlp_logs_url)".to_string()
        } else {
            sinks.join(", ")
        },
        if r.client_certificate.is_some() {
            ", showing a client certificate"
        } else {
            ""
        },
        r.queue_limit
            .unwrap_or(agent_core::retention::RECORDS as u64)
    )?;
    Ok(0)
}

/// Sends the compliance records waiting in the store to the sinks the configuration names: what
/// the phone's job does after each scan and sync. Exit 0 when every sink took what it was
/// offered (or is waiting out its backoff), 2 when one failed now.
pub(crate) fn run_deliver(
    config_path: &Path,
    db: &Path,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, Failure> {
    let config = load_config(config_path)?;
    let mut sinks = agent_core::records::sinks(&config)
        .map_err(|e| Failure::new(format!("{}: {e}", config_path.display())))?;
    if sinks.is_empty() {
        return Err(Failure::new(format!(
            "{}: no sink is configured (set syslog_url or otlp_logs_url; docs/FLEET.md)",
            config_path.display()
        )));
    }
    let mut store = Store::open(db)?;
    if let Some(limit) = config.records.queue_limit {
        store.set_record_limit(limit)?;
    }
    let delivery = agent_core::records::deliver(
        &mut store,
        &mut sinks,
        Timestamp::now(),
        agent_core::records::jitter(),
    )?;
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&delivery).unwrap_or_default()
        )?;
    } else {
        if delivery.heartbeat {
            writeln!(out, "heartbeat written")?;
        }
        for s in &delivery.sinks {
            match (&s.error, s.waiting_until) {
                (Some(e), _) => {
                    // The error names its sink already.
                    let e = e.strip_prefix(&format!("{}: ", s.sink)).unwrap_or(e);
                    writeln!(
                        out,
                        "{}: {} delivered, then failed: {e}",
                        s.sink, s.delivered
                    )?;
                }
                (None, Some(t)) => {
                    writeln!(out, "{}: waiting after a failure until {t}", s.sink)?;
                }
                (None, None) => writeln!(out, "{}: {} delivered", s.sink, s.delivered)?,
            }
        }
        writeln!(
            out,
            "{} record(s) removed from the queue, {} waiting",
            delivery.removed, delivery.waiting
        )?;
    }
    let failed = delivery.sinks.iter().any(|s| s.error.is_some());
    if failed {
        let _ = writeln!(
            err,
            "a sink failed; the records stay in the queue and are sent again later"
        );
    }
    Ok(if failed { crate::EXIT_FAILURE } else { 0 })
}
