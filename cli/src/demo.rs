//! `appwacht demo`: the main job on the built-in example, needing no files.
//!
//! The example policy (`examples/policy.toml`, built from the VNG seed list with the known publisher
//! certificates) and the example phone (`examples/phone.json`, 225 packages) are compiled into the
//! binary. The demo goes the way a real rollout goes: throwaway organisation keys, a root, the
//! policy signed and published to a directory served on 127.0.0.1, the device syncing and
//! verifying it; a monitor-mode scan first, then the same policy in enforce mode, then the
//! helpdesk report.

use std::io::Write;
use std::path::Path;

use agent_core::policy::authoring;
use agent_core::trust::DeviceConfig;
use agent_core::trust::HttpTransport;
use agent_core::trust::Root;
use agent_core::trust::sync;
use agent_core::trust::{Envelope, POLICY_TYPE};
use agent_core::trust::{KeyType, PrivateKey};
use agent_core::{
    Enrolment, Inventory, Mode, Policy, Report, Scope, SimulatedDevice, Span, Store, Timestamp,
};

use crate::Failure;
use crate::commands::{explain_text, scan_simulated, write_atomically};
use crate::device::render_sync;
use crate::render::scan_summary;
use crate::serve::StaticServer;

/// The example policy.
pub const EXAMPLE_POLICY: &str = include_str!("../../examples/policy.toml");
/// The example phone.
pub const EXAMPLE_PHONE: &str = include_str!("../../examples/phone.json");
/// The example phone's EMM.
pub const EXAMPLE_EMM: &str = "com.airwatch.androidagent";

/// The simulated phone with its agent: store, device, enrolment and the way to its policy server.
struct Phone {
    store: Store,
    device: SimulatedDevice,
    enrolment: Enrolment,
    config: DeviceConfig,
    transport: HttpTransport,
}

impl Phone {
    /// One round of the agent's job: sync from the published files, then a full scan.
    fn sync_and_scan(
        &mut self,
        now: Timestamp,
        label: &str,
        out: &mut dyn Write,
    ) -> Result<agent_core::ScanSummary, Failure> {
        write!(
            out,
            "{label}{}",
            render_sync(&sync(
                &mut self.store,
                &self.config,
                &mut self.transport,
                now
            )?)
        )?;
        scan_simulated(
            &mut self.store,
            &mut self.device,
            &self.enrolment,
            Scope::Full,
            "demo",
            now,
        )
    }
}

/// Throwaway organisation keys and root for the demo.
struct Organisation {
    root: Root,
    root_envelope: Envelope,
    policy_key: PrivateKey,
}

impl Organisation {
    fn new(name: &str, now: Timestamp) -> Result<Organisation, Failure> {
        let root_key =
            PrivateKey::generate(KeyType::Ed25519).map_err(|e| Failure::new(e.to_string()))?;
        let policy_key =
            PrivateKey::generate(KeyType::EcdsaP256).map_err(|e| Failure::new(e.to_string()))?;
        let expires = now.plus(Span::from_secs(365 * 86_400));
        let root = Root::new(
            name,
            1,
            expires,
            &[root_key.public()],
            1,
            &[policy_key.public()],
            1,
            0,
        );
        let mut root_envelope = root.to_envelope();
        root_envelope
            .sign(&root_key)
            .map_err(|e| Failure::new(e.to_string()))?;
        Ok(Organisation {
            root,
            root_envelope,
            policy_key,
        })
    }

    /// Signs `policy` and publishes it with the root into `dir`, as `appwacht publish` does.
    fn publish(&self, policy: &Policy, dir: &Path) -> Result<(), Failure> {
        let mut envelope = Envelope::new(POLICY_TYPE, &policy.to_json());
        envelope
            .sign(&self.policy_key)
            .map_err(|e| Failure::new(e.to_string()))?;
        std::fs::create_dir_all(dir.join("root"))
            .map_err(|e| Failure::new(format!("cannot create {}: {e}", dir.display())))?;
        write_atomically(
            &dir.join("root")
                .join(format!("{}.root.json", self.root.version)),
            &self.root_envelope.to_json(),
        )?;
        write_atomically(&dir.join("policy.json"), &envelope.to_json())
    }
}

pub(crate) fn run(keep: Option<&Path>, out: &mut dyn Write) -> Result<i32, Failure> {
    let tmp = tempfile::tempdir()
        .map_err(|e| Failure::new(format!("cannot create a temporary directory: {e}")))?;
    let dir = match keep {
        Some(d) => {
            std::fs::create_dir_all(d)
                .map_err(|e| Failure::new(format!("cannot create {}: {e}", d.display())))?;
            d.to_path_buf()
        }
        None => tmp.path().to_path_buf(),
    };
    let db = dir.join("compliance.db");
    if db.exists() {
        return Err(Failure::new(format!(
            "{} already exists: give --keep an empty directory",
            db.display()
        )));
    }
    let now = Timestamp::now();
    let inventory = Inventory::from_json("examples/phone.json", EXAMPLE_PHONE.as_bytes())?;
    let mut policy = authoring::compile("examples/policy.toml", EXAMPLE_POLICY, now)
        .map_err(agent_core::Error::from)?;

    // The administrator: keys, a root, a signed policy, published to a directory any web server
    // can serve; here a small server on 127.0.0.1.
    let org = Organisation::new(&policy.organisation, now)?;
    let site = dir.join("site");
    policy.mode = Mode::Monitor;
    policy.issued_at = Some(now);
    policy.expires = Some(now.plus(Span::from_secs(14 * 86_400)));
    org.publish(&policy, &site)?;
    let server = StaticServer::start(&site).map_err(Failure::new)?;

    // The phone, enrolled with the organisation's root and the server's address.
    let config = DeviceConfig {
        organisation: policy.organisation.clone(),
        policy_urls: vec![server.url.clone()],
        pinned_root: org.root_envelope.clone(),
        groups: inventory.device.groups.clone(),
        sync_interval: Span::from_secs(6 * 3600),
        emm_package: Some(EXAMPLE_EMM.to_string()),
        emm_packages: Vec::new(),
        emm_certificates: Vec::new(),
        agent_certificates: Vec::new(),
        ca_certificates: None,
        request_timeout: Span::from_secs(10),
        records: Default::default(),
        allow_http_loopback: true,
    };
    let mut phone = Phone {
        store: Store::open(&db)?,
        enrolment: config.enrolment(),
        transport: HttpTransport::new(&config).map_err(Failure::new)?,
        device: SimulatedDevice::new(inventory),
        config,
    };
    let packages = &phone.device.inventory.packages;
    let system_total = packages.iter().filter(|p| p.system).count();
    writeln!(
        out,
        "Appwacht demo: {} with {} packages ({system_total} system apps), groups {}; policy of {} ({} rules, {} publishers from the seed list)",
        phone.device.inventory.device.id,
        packages.len(),
        phone.enrolment.groups.join(", "),
        policy.organisation,
        policy.rules.len(),
        policy.publishers.len()
    )?;
    writeln!(
        out,
        "Throwaway keys: root {} (ed25519), policy {} (ecdsa-p256); files served at {}\n",
        &org.root.roles.root.keyids[0][..16],
        &org.root.roles.policy.keyids[0][..16],
        server.url
    )?;

    // Rollout step 1: monitor mode. Nothing on the phone changes; the report says what would.
    writeln!(out, "== Step 1: monitor mode (report only) ==")?;
    let summary = phone.sync_and_scan(now, "", out)?;
    write!(out, "{}", scan_summary(&summary))?;
    write!(
        out,
        "{}",
        crate::render::would_have_done(&summary, &phone.store)?
    )?;

    // Rollout step 2: the same rules, enforced: a new version, signed and published.
    policy.mode = Mode::Enforce;
    policy.version += 1;
    org.publish(&policy, &site)?;
    writeln!(out, "\n== Step 2: enforce mode ==")?;
    let summary = phone.sync_and_scan(now, "", out)?;
    write!(out, "{}", scan_summary(&summary))?;
    let system_touched = phone
        .device
        .inventory
        .packages
        .iter()
        .filter(|p| p.system && (p.suspended || p.hidden))
        .count();
    writeln!(
        out,
        "  system apps: {system_total}, blocked: {system_touched} (the allow-list does not apply to the platform's own apps)"
    )?;

    // Nothing changed: one conditional request, and a scan that does nothing.
    let again = phone.sync_and_scan(now, "  syncing again: ", out)?;
    writeln!(
        out,
        "  scanning again with nothing changed: {} steps\n",
        again.steps.len()
    )?;
    drop(server);

    writeln!(out, "== Why is the clone blocked? (appwacht explain) ==")?;
    write!(
        out,
        "{}",
        explain_text(&mut phone.store, "com.videoedit.promax", false, now)?
    )?;
    writeln!(out, "\n== Why is WeChat allowed? ==")?;
    write!(
        out,
        "{}",
        explain_text(&mut phone.store, "com.tencent.mm", false, now)?
    )?;
    writeln!(out, "\n== The helpdesk report (appwacht report) ==")?;
    write!(out, "{}", Report::build(&phone.store, now)?.to_text())?;

    // What the organisation's log server would receive (docs/FLEET.md).
    phone.store.heartbeat_if_due(now)?;
    let records = phone.store.records(0, 10_000)?;
    let mut kinds: Vec<(String, usize)> = Vec::new();
    for r in &records {
        match kinds.iter_mut().find(|(k, _)| *k == r.kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((r.kind.clone(), 1)),
        }
    }
    writeln!(
        out,
        "\n== Compliance records for the organisation's log server ({} waiting: appwacht deliver) ==",
        records.len()
    )?;
    writeln!(
        out,
        "  {}",
        kinds
            .iter()
            .map(|(k, n)| format!("{k} ×{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    if let Some(r) = records.iter().find(|r| r.kind == "finding.opened") {
        writeln!(out, "  one of them: {}", r.to_json())?;
    }

    if let Some(d) = keep {
        write_atomically(
            &d.join("phone-after.json"),
            &serde_json::to_vec_pretty(&phone.device.inventory).unwrap_or_default(),
        )?;
        write_atomically(&d.join("config.json"), &phone.config.to_json())?;
        let lines: String = records.iter().map(|r| r.to_json() + "\n").collect();
        write_atomically(&d.join("records.jsonl"), lines.as_bytes())?;
        writeln!(
            out,
            "\nKept in {}: compliance.db, site/ (the published files), config.json, phone-after.json, records.jsonl. Try: appwacht status --db {}, or appwacht fleet --from {}",
            d.display(),
            db.display(),
            d.join("records.jsonl").display()
        )?;
    }
    Ok(0)
}
