//! The device's side on the host: sync from the published files, status.

use std::io::Write;
use std::path::Path;

use agent_core::trust::config::DeviceConfig;
use agent_core::trust::sync::{PolicyChange, SyncReport, sync};
use agent_core::trust::transport::HttpTransport;
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

pub(crate) fn run_sync(
    config_path: &Path,
    db: &Path,
    json: bool,
    out: &mut dyn Write,
) -> Result<i32, Failure> {
    let config = load_config(config_path)?;
    let mut store = Store::open(db)?;
    let mut transport = transport(&config, config_path)?;
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
            let stale = status_text(&store, Timestamp::now())?;
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
    let roots = if r.new_roots.is_empty() {
        String::new()
    } else {
        format!("; new root version(s) {:?}", r.new_roots)
    };
    o.push_str(&format!(
        "synced from {} at {}: {policy}; root version {}{roots}; {} request(s), {} bytes\n",
        r.mirror, r.now, r.root_version, r.requests, r.bytes
    ));
    o
}

fn status_text(store: &Store, now: Timestamp) -> Result<String, Failure> {
    let v = status_json(store, now)?;
    let mut o = String::new();
    match v["policy"].as_object() {
        Some(p) => {
            o.push_str(&format!(
                "Policy: {} version {} ({}), rules hash {}\n",
                p["organisation"].as_str().unwrap_or("?"),
                p["version"],
                if p["signed_by"].as_array().is_some_and(|a| !a.is_empty()) {
                    format!(
                        "signed by {}",
                        p["signed_by"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|k| k.as_str())
                            .map(|k| &k[..16.min(k.len())])
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                } else {
                    "unsigned, loaded from a file".into()
                },
                p["rules_hash"].as_str().unwrap_or("")
            ));
            o.push_str(&format!(
                "Expires: {}{}\n",
                p["expires"].as_str().unwrap_or("never"),
                if p["stale"] == true {
                    " (EXPIRED: still enforced, stale)"
                } else {
                    ""
                }
            ));
        }
        None => o.push_str("Policy: none active\n"),
    }
    o.push_str(&format!(
        "Root: version {}; policy-version floor {}; time floor {}\n",
        v["root_version"],
        v["policy_floor"],
        v["time_floor"].as_str().unwrap_or("-")
    ));
    o.push_str(&format!(
        "Last successful sync: {}{}\n",
        v["last_sync_ok"].as_str().unwrap_or("never"),
        v["hours_since_verified_fetch"]
            .as_i64()
            .map(|h| format!(" ({h} h ago)"))
            .unwrap_or_default()
    ));
    if let Some(e) = v["last_sync_error"].as_str() {
        o.push_str(&format!("Last sync error: {e}\n"));
    }
    if let Some(e) = v["clock_problem"].as_str() {
        o.push_str(&format!("Clock problem: {e}\n"));
    }
    if let Some(e) = v["store_recovered"].as_str() {
        o.push_str(&format!("Store recovered: {e}\n"));
    }
    o.push_str(&format!(
        "Outbox: {} event(s) waiting for upload\n",
        v["outbox"]
    ));
    Ok(o)
}

fn status_json(store: &Store, now: Timestamp) -> Result<serde_json::Value, Failure> {
    let active = store.active_policy()?;
    let policy = active.as_ref().map(|a| {
        serde_json::json!({
            "organisation": a.policy.organisation, "version": a.policy.version,
            "issued_at": a.policy.issued_at, "expires": a.policy.expires,
            "stale": agent_core::clock::is_stale(a.policy.expires, now, store.time_floor().unwrap_or(now)), "rules_hash": a.policy.rules_hash(),
            "sha256": a.sha256, "source": a.source, "received_at": a.received_at,
            "signed_by": store.active_signers().unwrap_or_default(),
        })
    });
    let last_ok = store.last_sync_ok()?;
    Ok(serde_json::json!({
        "policy": policy,
        "root_version": store.trusted_root()?.map_or(0, |(v, _)| v),
        "policy_floor": store.policy_floor()?,
        "time_floor": store.time_floor()?,
        "last_sync_ok": last_ok,
        "hours_since_verified_fetch": last_ok.map(|t| now.since(t) / 3600),
        "last_sync_error": store.last_sync_error()?,
        "clock_problem": store.clock_problem()?,
        "store_recovered": store.recovered()?,
        "outbox": store.outbox(i64::MAX)?.len(),
        "last_scan": store.recent_scans(1)?.first(),
    }))
}

pub(crate) fn status(db: &Path, json: bool, out: &mut dyn Write) -> Result<i32, Failure> {
    let store = open_existing(db)?;
    let now = Timestamp::now();
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&status_json(&store, now)?).unwrap_or_default()
        )?;
    } else {
        write!(out, "{}", status_text(&store, now)?)?;
    }
    Ok(0)
}
