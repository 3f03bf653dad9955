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
