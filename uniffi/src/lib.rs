//! # appwacht-ffi: the typed API the Android app's Kotlin code calls
//!
//! What it is for: one small, typed surface over the core, generated for Kotlin with UniFFI: open the
//! agent on a data directory with the configuration an administrator sets through managed
//! configuration, sync, scan (full, or one package after an install), status, the helpdesk report and
//! `explain`. Its error type has only the cases the app can act on; the core's detailed errors are
//! folded into them, message kept. Warnings and blocks reach the employee through the app's
//! [`EmployeeNotifier`].
//!
//! What it must never do: reach the framework itself. The phone is reached through the JNI adapter,
//! which registers a [`Platform`] when the app calls `NativeBridge.init(context)`; both live in
//! the one native library (`libappwacht.so`).
//!
//! How to test it: `cargo test` at the root generates the Kotlin bindings from the host library and
//! runs the Kotlin tests in `android/jvm/kotlin-tests` on OpenJDK with JNA (`tests/kotlin.rs`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use agent_core::trust::DeviceConfig;
use agent_core::trust::Envelope;
use agent_core::trust::HttpTransport;
use agent_core::trust::{PolicyChange, SyncFailure, sync};
use agent_core::{
    Device, Enforcer, Enrolment, Inventory, ManagedDevice, Package, PackageSource, Report, Scope,
    Setting, SettingChange, SettingState, Span, Step, StepError, StepKind, Store, Timestamp,
};

uniffi::setup_scaffolding!();

/// What the app can act on when a call fails.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum AgentError {
    /// No policy server could be reached (retry later; the last good policy stays in force).
    #[error("network: {reason}")]
    Network { reason: String },
    /// A server answered with a policy that is not trusted (report it; the last good policy stays).
    #[error("untrusted policy: {reason}")]
    UntrustedPolicy { reason: String },
    /// No policy has been accepted yet (sync first).
    #[error("no policy yet: {reason}")]
    NoPolicyYet { reason: String },
    /// The compliance store failed (storage full or damaged).
    #[error("storage: {reason}")]
    Storage { reason: String },
    /// The app is neither device nor profile owner, so it cannot act.
    #[error("not device owner: {reason}")]
    NotDeviceOwner { reason: String },
    /// The configuration (or the request) is wrong.
    #[error("invalid configuration: {reason}")]
    InvalidConfiguration { reason: String },
    /// A package the last scan did not see.
    #[error("unknown package: {reason}")]
    UnknownPackage { reason: String },
    /// The phone could not be reached or answered with an error (JNI, the framework): not the
    /// configuration's fault; `NativeBridge.init` may be missing, or the platform refused.
    #[error("the phone: {reason}")]
    Platform { reason: String },
}

impl From<agent_core::Error> for AgentError {
    fn from(e: agent_core::Error) -> Self {
        let reason = e.to_string();
        match e {
            agent_core::Error::Sync {
                kind: SyncFailure::Network,
                ..
            } => AgentError::Network { reason },
            agent_core::Error::Sync {
                kind: SyncFailure::Untrusted,
                ..
            }
            | agent_core::Error::Trust(_) => AgentError::UntrustedPolicy { reason },
            agent_core::Error::Sync {
                kind: SyncFailure::PinnedRoot,
                ..
            }
            | agent_core::Error::Config { .. } => AgentError::InvalidConfiguration { reason },
            agent_core::Error::NoPolicy | agent_core::Error::NoScan => {
                AgentError::NoPolicyYet { reason }
            }
            agent_core::Error::UnknownPackage { .. } => AgentError::UnknownPackage { reason },
            // The sync reads the store once before the network and writes once after: a storage
            // failure is the store's error itself, never a failed download.
            agent_core::Error::Store { .. } | agent_core::Error::StoreContents { .. } => {
                AgentError::Storage { reason }
            }
            agent_core::Error::PackageSource(_) | agent_core::Error::Inventory { .. } => {
                AgentError::Platform { reason }
            }
            agent_core::Error::PolicyDocument { .. }
            | agent_core::Error::PolicySource(_)
            | agent_core::Error::NotNewer { .. } => AgentError::UntrustedPolicy { reason },
            _ => AgentError::Platform { reason },
        }
    }
}

/// Why the phone could not be reached.
#[derive(Debug)]
pub enum PlatformError {
    /// The app is neither device nor profile owner.
    NotOwner(String),
    /// Anything else (JNI, the framework).
    Failed(String),
}

/// The one seam between the typed API and the phone. The JNI adapter implements it (and registers
/// it in `NativeBridge.init`): it runs `f` with a device that reads packages through
/// `PackageManager` and acts through `DevicePolicyManager`, and it protects the agent. Nothing else
/// of the phone reaches the typed API; the employee is told through the app's [`EmployeeNotifier`].
pub trait Platform: Send + Sync {
    /// Runs `f` with the device (in a JNI frame of its own).
    fn with_device(
        &self,
        device: Device,
        f: &mut dyn FnMut(&mut dyn ManagedDevice, bool) -> Result<(), agent_core::Error>,
    ) -> Result<(), PlatformError>;

    /// Blocks uninstalling the agent and sets the system's support message.
    fn protect_agent(&self, support_message: &str) -> Result<(), PlatformError>;

    /// Applies the device-owner hardening changes and reads each setting back (before and after).
    fn device_settings(
        &self,
        changes: &[(Setting, SettingChange)],
    ) -> Result<Vec<SettingReadback>, PlatformError>;
}

/// One hardening setting as the phone read it, before and after the agent acted.
#[derive(Debug, Clone)]
pub struct SettingReadback {
    /// The setting.
    pub setting: Setting,
    /// In force before.
    pub before: bool,
    /// In force after.
    pub after: bool,
    /// Why the phone refused, if it did.
    pub error: Option<String>,
}

static PLATFORM: RwLock<Option<Arc<dyn Platform>>> = RwLock::new(None);

/// Registers the phone (the JNI adapter does this in `NativeBridge.init`).
pub fn register_platform(access: Arc<dyn Platform>) {
    if let Ok(mut slot) = PLATFORM.write() {
        *slot = Some(access);
    }
}

fn platform() -> Result<Arc<dyn Platform>, AgentError> {
    PLATFORM
        .read()
        .ok()
        .and_then(|s| s.clone())
        .ok_or_else(|| AgentError::Platform {
            reason:
                "the phone is not reachable yet: call NativeBridge.init(context) before scanning"
                    .into(),
        })
}

/// What the employee is told.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Notice {
    /// The app concerned.
    pub package: String,
    /// Its label ("TikTok"); empty if it has none.
    pub label: String,
    /// `warn`, `suspend`, `hide` or `uninstall`.
    pub action: String,
    /// The rule's message.
    pub message: String,
    /// The rule's link (empty if none).
    pub link: String,
}

/// Implemented by the app: tells the employee (a notification with the rule's message and link).
#[uniffi::export(with_foreign)]
pub trait EmployeeNotifier: Send + Sync {
    /// Shows the notice; answers whether it was shown.
    fn notify(&self, notice: Notice) -> bool;
}

/// The keys an administrator sets through managed configuration (or provisioning extras).
#[derive(Debug, Clone, uniffi::Record)]
pub struct AgentConfig {
    /// The organisation the device is enrolled with.
    pub organisation: String,
    /// Mirrors of the published files, in order.
    pub policy_urls: Vec<String>,
    /// The root pinned at enrolment: the DSSE envelope's JSON.
    pub pinned_root: String,
    /// The device's id within the organisation.
    pub device_id: String,
    /// The device's groups.
    pub groups: Vec<String>,
    /// Seconds between syncs and full scans.
    pub sync_interval_seconds: u64,
    /// The EMM's package, never blocked.
    pub emm_package: Option<String>,
    /// PEM of the CAs to trust for the policy servers (the organisation's pin), if any.
    pub ca_certificates: Option<String>,
    /// Seconds a request may take.
    pub request_timeout_seconds: u64,
    /// How many recent scans the helpdesk report shows (the store keeps more).
    pub report_history: u32,
    /// Where compliance records go as syslog over TLS: `syslog+tls://host:6514`.
    #[uniffi(default = None)]
    pub syslog_url: Option<String>,
    /// Where compliance records go as OpenTelemetry logs: `https://collector:4318/v1/logs`.
    #[uniffi(default = None)]
    pub otlp_logs_url: Option<String>,
    /// A bearer token for the OTLP receiver.
    #[uniffi(default = None)]
    pub records_token: Option<String>,
    /// PEM of a client certificate and its key, for the record sinks.
    #[uniffi(default = None)]
    pub records_client_certificate: Option<String>,
    /// How many records wait at most before routine ones are given up.
    #[uniffi(default = None)]
    pub record_queue_limit: Option<u64>,
}

/// What one delivery of compliance records did.
#[derive(Debug, Clone, uniffi::Record)]
pub struct DeliveryResult {
    /// Records the sinks accepted in this run (summed over sinks).
    pub delivered: u64,
    /// Records still waiting.
    pub waiting: u64,
    /// Each failing sink's error (naming the sink).
    pub errors: Vec<String>,
    /// Whether a heartbeat was written.
    pub heartbeat: bool,
}

/// What a sync did.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncResult {
    /// The mirror that served it.
    pub mirror: String,
    /// Whether a newer policy is now active.
    pub updated: bool,
    /// The active policy's version afterwards, if any.
    pub policy_version: Option<u64>,
    /// The trusted root's version.
    pub root_version: u64,
    /// HTTP requests made.
    pub requests: u32,
}

/// One step taken on the phone.
#[derive(Debug, Clone, uniffi::Record)]
pub struct StepRecord {
    /// The app.
    pub package: String,
    /// `suspend`, `unsuspend`, `hide`, `unhide`, `warn`, `uninstall`.
    pub kind: String,
    /// What the platform said if it failed.
    pub error: Option<String>,
}

/// How an app fares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FindingOutcome {
    /// A violation.
    Denied,
    /// Permitted by an exception.
    Excepted,
}

/// A violation or an excepted app.
#[derive(Debug, Clone, uniffi::Record)]
pub struct FindingRecord {
    /// The app.
    pub package: String,
    /// Denied or excepted.
    pub outcome: FindingOutcome,
    /// The deciding rule.
    pub rule: Option<String>,
    /// The action in force now.
    pub action: Option<String>,
    /// Why, in one sentence.
    pub reason: String,
    /// The rule's message for the employee.
    pub message: Option<String>,
    /// The rule's link.
    pub link: Option<String>,
    /// Since when (RFC 3339).
    pub since: String,
    /// Why the employee could not be told, if the last attempt failed (told again next scan).
    pub not_told: Option<String>,
    /// The app's label ("TikTok"), if it has one.
    pub label: Option<String>,
    /// Why the action in force is not carried out in full (monitoring only, an uninstall that
    /// needs the EMM, a clock far ahead).
    pub held_back: Option<String>,
    /// What the EMM is asked to do because the agent cannot (remove the app).
    pub emm_request: Option<String>,
}

/// What a scan did.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ScanResult {
    /// Apps evaluated.
    pub packages: u32,
    /// Violations.
    pub violations: u32,
    /// Apps permitted by an exception.
    pub excepted: u32,
    /// Steps taken.
    pub steps: Vec<StepRecord>,
    /// Apps that could not be read.
    pub unreadable: Vec<String>,
}

/// The agent's state for the compliance screen and the EMM.
#[derive(Debug, Clone, uniffi::Record)]
pub struct AgentStatus {
    /// No violation stands.
    pub compliant: bool,
    /// The active policy's version, if any.
    pub policy_version: Option<u64>,
    /// `monitor` or `enforce` at the last scan.
    pub mode: Option<String>,
    /// When the active policy expires.
    pub policy_expires: Option<String>,
    /// It has expired (still enforced).
    pub stale: bool,
    /// Hash of the active rules.
    pub rules_hash: Option<String>,
    /// Last successful sync.
    pub last_sync: Option<String>,
    /// Last sync error, if the last attempt failed.
    pub last_sync_error: Option<String>,
    /// A clock problem the last scan saw (the phone's clock far from every signed time).
    pub clock_problem: Option<String>,
    /// A damaged compliance store moved aside at start, and what became of it.
    pub store_recovered: Option<String>,
    /// Current violations and excepted apps.
    pub findings: Vec<FindingRecord>,
    /// The device-owner hardening the policy asks for, as the phone reports it.
    pub device_settings: Vec<DeviceSettingRecord>,
    /// How the agent is managed here and what it may do, as the last scan read it.
    pub management: Option<ManagementRecord>,
    /// When the newest trusted root expires (RFC 3339): after it no new policy is accepted.
    pub root_expires: Option<String>,
    /// Days until then (negative once it has passed).
    pub root_expires_in_days: Option<i64>,
    /// Compliance records waiting for delivery.
    pub records_waiting: u64,
    /// Records a full queue gave up (all severities).
    pub records_dropped: u64,
    /// Each record sink now failing, with its error.
    pub record_sinks_failing: Vec<String>,
}

/// The agent's mode and powers on this phone.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ManagementRecord {
    /// `device_owner`, `profile_owner`, `delegate` or `unmanaged`.
    pub mode: String,
    /// The delegated scopes held, as the platform names them.
    pub scopes: Vec<String>,
    /// What the agent cannot do here, in the product's words.
    pub cannot: Vec<String>,
    /// It cannot block anything: it monitors and reports.
    pub monitor_only: bool,
    /// The Android user it runs as.
    pub user: u32,
    /// That user is a work profile (the personal side is not visible).
    pub work_profile: bool,
    /// All of it in one line, as status and the report say it.
    pub summary: String,
}

/// One hardening setting (`[device]` of the policy) as the phone reports it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct DeviceSettingRecord {
    /// `automatic_time`, `no_unknown_sources` or `no_debugging`.
    pub setting: String,
    /// The policy asks for it.
    pub wanted: bool,
    /// In force on the phone (read back).
    pub on: bool,
    /// Why the phone refused, if it did.
    pub error: Option<String>,
}

/// The helpdesk report's format.
#[derive(Debug, Clone, Copy, uniffi::Enum)]
pub enum ReportFormat {
    /// Plain text (dumpsys).
    Text,
    /// JSON.
    Json,
    /// One self-contained HTML page (the "share report" action).
    Html,
}

/// The agent on one phone.
#[derive(uniffi::Object)]
pub struct Agent {
    /// The writer: syncs and scans, one at a time.
    store: Mutex<Store>,
    /// The reader: status, report and explanations. A second connection, so that they never
    /// wait for a sync's network requests or a full scan holding the writer (the app calls
    /// them from its main thread).
    reader: Mutex<Store>,
    /// The sender: compliance-record delivery, on its own connection opened at the first
    /// delivery, so that no collector's slow answer holds the writer an install scan needs.
    sender: Mutex<Option<Store>>,
    /// The store's file.
    db: PathBuf,
    config: DeviceConfig,
    device: Device,
    enrolment: Enrolment,
    notifier: Option<Arc<dyn EmployeeNotifier>>,
    report_history: i64,
}

fn storage(e: impl std::fmt::Display) -> AgentError {
    AgentError::Storage {
        reason: e.to_string(),
    }
}

impl Agent {
    fn store(&self) -> Result<std::sync::MutexGuard<'_, Store>, AgentError> {
        self.store
            .lock()
            .map_err(|_| storage("the store's lock is poisoned by an earlier failure"))
    }

    fn reader(&self) -> Result<std::sync::MutexGuard<'_, Store>, AgentError> {
        self.reader
            .lock()
            .map_err(|_| storage("the reader's lock is poisoned by an earlier failure"))
    }

    fn run_scan(&self, scope: Scope<'_>, trigger: &str) -> Result<ScanResult, AgentError> {
        let access = platform()?;
        let mut store = self.store()?;
        let notifier = self.notifier.clone();
        let mut outcome: Option<Result<agent_core::ScanSummary, agent_core::Error>> = None;
        access
            .with_device(self.device.clone(), &mut |device, _owner| {
                let mut telling = Telling {
                    inner: device,
                    notifier: notifier.as_deref(),
                };
                outcome = Some(agent_core::scan(
                    &mut store,
                    &mut telling,
                    &self.enrolment,
                    scope,
                    trigger,
                    Timestamp::now(),
                ));
                Ok(())
            })
            .map_err(device_error)?;
        let summary = outcome.ok_or_else(|| AgentError::Platform {
            reason: "the phone was not reached".into(),
        })??;
        Ok(ScanResult {
            packages: summary.packages as u32,
            violations: summary.violations as u32,
            excepted: summary.excepted as u32,
            steps: summary
                .steps
                .iter()
                .map(|s| StepRecord {
                    package: s.step.package.clone(),
                    kind: s.step.kind.as_str().into(),
                    error: s.error.as_ref().map(|e| e.to_string()),
                })
                .collect(),
            unreadable: summary
                .unreadable
                .iter()
                .map(|u| format!("{}: {}", u.name, u.error))
                .collect(),
        })
    }
}

impl Agent {
    /// The policy's `[device]` hardening, applied with each full scan: what it asks is turned on
    /// (again, should someone have lifted it), what the agent turned on and it no longer asks is
    /// lifted, anything else is left alone; each setting is read back and recorded.
    fn apply_device_settings(&self) -> Result<(), AgentError> {
        let mut store = self.store()?;
        let Some(active) = store.active_policy()? else {
            return Ok(());
        };
        let wanted = active.policy.device.clone();
        let (_, ours) = store.device_settings()?;
        if wanted.is_empty() && ours.is_empty() {
            return Ok(());
        }
        let changes = agent_core::plan_device_settings(&wanted, &ours);
        // A phone that refuses (not owner yet) is recorded against each setting; the scan that
        // came before stands.
        let readback = match platform()?.device_settings(&changes) {
            Ok(r) => r,
            Err(e) => {
                let why = match e {
                    PlatformError::NotOwner(r) | PlatformError::Failed(r) => r,
                };
                changes
                    .iter()
                    .map(|&(setting, _)| SettingReadback {
                        setting,
                        before: false,
                        after: false,
                        error: Some(why.clone()),
                    })
                    .collect()
            }
        };
        let mut ours_now = Vec::new();
        let mut states = Vec::new();
        for r in readback {
            // The agent's: on now, and turned on by the agent (off before, or already its own).
            if wanted.wants(r.setting) && r.after && (!r.before || ours.contains(&r.setting)) {
                ours_now.push(r.setting);
            }
            if r.error.is_some() && ours.contains(&r.setting) {
                ours_now.push(r.setting); // a change the phone refused: still the agent's to lift
            }
            states.push(SettingState {
                setting: r.setting,
                wanted: wanted.wants(r.setting),
                on: r.after,
                error: r.error,
            });
        }
        ours_now.dedup();
        Ok(store.record_device_settings(&states, &ours_now)?)
    }
}

fn device_error(e: PlatformError) -> AgentError {
    match e {
        PlatformError::NotOwner(reason) => AgentError::NotDeviceOwner { reason },
        PlatformError::Failed(reason) => AgentError::Platform { reason },
    }
}

/// The device with warnings routed to the app's notifier (the employee is told by the app).
struct Telling<'a> {
    inner: &'a mut dyn ManagedDevice,
    notifier: Option<&'a dyn EmployeeNotifier>,
}

impl PackageSource for Telling<'_> {
    fn inventory(&mut self) -> Result<Inventory, agent_core::Error> {
        self.inner.inventory()
    }

    fn package(&mut self, name: &str) -> Result<Option<Package>, agent_core::Error> {
        self.inner.package(name)
    }

    fn powers(&mut self) -> Result<Option<agent_core::Powers>, agent_core::Error> {
        self.inner.powers()
    }

    fn changed_since(
        &mut self,
        sequence: u32,
    ) -> Result<Option<agent_core::Changes>, agent_core::Error> {
        self.inner.changed_since(sequence)
    }
}

impl Enforcer for Telling<'_> {
    fn apply(&mut self, step: &Step) -> Result<(), StepError> {
        match (step.kind, self.notifier) {
            (StepKind::Warn, Some(n)) => {
                let notice = Notice {
                    package: step.package.clone(),
                    label: step.label.clone().unwrap_or_default(),
                    action: step.action.map_or("report", |a| a.as_str()).into(),
                    message: step.message.clone().unwrap_or_default(),
                    link: step.link.clone().unwrap_or_default(),
                };
                if n.notify(notice) {
                    Ok(())
                } else {
                    Err(StepError::NotTold(
                        "the employee could not be told (notifications are off?)".into(),
                    ))
                }
            }
            _ => self.inner.apply(step),
        }
    }
}

#[uniffi::export]
impl Agent {
    /// Opens (creating) the agent's store in `data_dir` with this configuration.
    #[uniffi::constructor]
    pub fn open(
        data_dir: String,
        config: AgentConfig,
        notifier: Option<Arc<dyn EmployeeNotifier>>,
    ) -> Result<Arc<Self>, AgentError> {
        let invalid = |reason: String| AgentError::InvalidConfiguration { reason };
        let pinned_root = Envelope::parse(config.pinned_root.as_bytes())
            .map_err(|e| invalid(format!("pinned_root: {e}")))?;
        let device_config = DeviceConfig {
            organisation: config.organisation.clone(),
            policy_urls: config.policy_urls.clone(),
            pinned_root,
            groups: config.groups.clone(),
            sync_interval: Span::from_secs(config.sync_interval_seconds.min(i64::MAX as u64) as i64),
            emm_package: config.emm_package.clone(),
            emm_packages: Vec::new(),
            emm_certificates: Vec::new(),
            // On the phone the agent is the running app: the scan takes its certificate from it.
            agent_certificates: Vec::new(),
            ca_certificates: config.ca_certificates.clone(),
            request_timeout: Span::from_secs(config.request_timeout_seconds.clamp(1, 3600) as i64),
            records: agent_core::trust::RecordsConfig {
                syslog_url: config.syslog_url.clone(),
                otlp_logs_url: config.otlp_logs_url.clone(),
                token: config.records_token.clone(),
                client_certificate: config.records_client_certificate.clone(),
                queue_limit: config.record_queue_limit,
            },
            allow_http_loopback: false,
        };
        device_config.check().map_err(invalid)?;
        // A record sink that cannot be built (a client key that does not fit its certificate) is
        // a configuration problem the app shows now, not an error at every delivery.
        agent_core::records::sinks(&device_config).map_err(invalid)?;
        let dir = PathBuf::from(&data_dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| storage(format!("cannot create {data_dir}: {e}")))?;
        let db = dir.join("compliance.db");
        let mut store = Store::open(&db)?;
        if let Some(limit) = config.record_queue_limit {
            store.set_record_limit(limit)?;
        }
        let reader = Store::open_reader(&db)?;
        let enrolment = device_config.enrolment();
        let device = Device {
            id: config.device_id.clone(),
            groups: config.groups.clone(),
            sdk: 0,
            essentials: Vec::new(),
            powers: None,
        };
        Ok(Arc::new(Agent {
            store: Mutex::new(store),
            reader: Mutex::new(reader),
            sender: Mutex::new(None),
            db,
            config: device_config,
            device,
            enrolment,
            notifier,
            report_history: i64::from(config.report_history.clamp(1, 1000)),
        }))
    }

    /// Fetches and verifies the organisation's policy from the configured mirrors.
    pub fn sync(&self) -> Result<SyncResult, AgentError> {
        let mut transport = HttpTransport::new(&self.config)
            .map_err(|reason| AgentError::InvalidConfiguration { reason })?;
        let mut store = self.store()?;
        let report = sync(&mut store, &self.config, &mut transport, Timestamp::now())?;
        let policy_version = store.active_policy()?.map(|p| p.policy.version);
        Ok(SyncResult {
            mirror: report.mirror,
            updated: matches!(report.policy, PolicyChange::Updated { .. }),
            policy_version,
            root_version: report.root_version,
            requests: report.requests,
        })
    }

    /// Sends the compliance records waiting in the store to the configured sinks (none: only a
    /// heartbeat is written when due). Runs on its own connection: call it off the scan thread.
    pub fn deliver_records(&self) -> Result<DeliveryResult, AgentError> {
        let mut sinks = agent_core::records::sinks(&self.config)
            .map_err(|reason| AgentError::InvalidConfiguration { reason })?;
        let mut sender = self
            .sender
            .lock()
            .map_err(|_| storage("the sender's lock is poisoned by an earlier failure"))?;
        if sender.is_none() {
            *sender = Some(Store::open_sender(&self.db)?);
        }
        let Some(store) = sender.as_mut() else {
            return Err(storage("the sender's store is not open"));
        };
        let d = agent_core::records::deliver(
            store,
            &mut sinks,
            Timestamp::now(),
            agent_core::records::jitter(),
        )?;
        Ok(DeliveryResult {
            delivered: d.sinks.iter().map(|s| s.delivered).sum(),
            waiting: d.waiting as u64,
            errors: d
                .sinks
                .iter()
                // Each error names its sink already.
                .filter_map(|s| s.error.clone())
                .collect(),
            heartbeat: d.heartbeat,
        })
    }

    /// The periodic safety net: every installed app against the active policy.
    pub fn full_scan(&self) -> Result<ScanResult, AgentError> {
        let result = self.run_scan(Scope::Full, "full")?;
        self.apply_device_settings()?;
        Ok(result)
    }

    /// The install path: one app, right after it was installed or updated.
    pub fn package_changed(&self, package: String) -> Result<ScanResult, AgentError> {
        self.run_scan(Scope::Package(&package), "install")
    }

    /// The catch-up at start: judges the apps changed since the last catch-up (getChangedPackages)
    /// and answers how many were scanned.
    pub fn catch_up(&self) -> Result<u32, AgentError> {
        let access = platform()?;
        let mut store = self.store()?;
        let notifier = self.notifier.clone();
        let mut outcome: Option<Result<agent_core::CatchUp, agent_core::Error>> = None;
        access
            .with_device(self.device.clone(), &mut |device, _owner| {
                let mut telling = Telling {
                    inner: device,
                    notifier: notifier.as_deref(),
                };
                outcome = Some(agent_core::catch_up(
                    &mut store,
                    &mut telling,
                    &self.enrolment,
                    Timestamp::now(),
                ));
                Ok(())
            })
            .map_err(device_error)?;
        let done = outcome.ok_or_else(|| AgentError::Platform {
            reason: "the phone was not reached".into(),
        })??;
        Ok(done.scans.len() as u32)
    }

    /// After a reboot the platform's change sequence restarts: forget the stored one.
    pub fn boot_completed(&self) -> Result<(), AgentError> {
        let mut store = self.store()?;
        Ok(agent_core::reset_catch_up(&mut store)?)
    }

    /// Blocks uninstalling the agent and sets the support message (device or profile owner only).
    pub fn protect(&self, support_message: String) -> Result<(), AgentError> {
        platform()?
            .protect_agent(&support_message)
            .map_err(device_error)
    }

    /// The state for the compliance screen.
    pub fn status(&self) -> Result<AgentStatus, AgentError> {
        let store = self.reader()?;
        let now = Timestamp::now();
        let report = Report::build(&store, now)?;
        let trust = agent_core::status(&store, now)?;
        let active = store.active_policy()?;
        let findings = store
            .findings()?
            .into_iter()
            .map(|f| FindingRecord {
                package: f.decision.package.clone(),
                outcome: if f.decision.outcome == agent_core::Outcome::Excepted {
                    FindingOutcome::Excepted
                } else {
                    FindingOutcome::Denied
                },
                rule: f.decision.rule.clone(),
                action: f.action_now.map(|a| a.as_str().to_string()),
                reason: f.decision.reason.to_string(),
                message: f.decision.message.clone(),
                link: f.decision.link.clone(),
                since: f.since.to_string(),
                not_told: f.not_told.clone(),
                label: f.label.clone(),
                held_back: f.held_back.clone(),
                emm_request: f.emm_request.clone(),
            })
            .collect();
        Ok(AgentStatus {
            compliant: report.compliant,
            policy_version: active.as_ref().map(|a| a.policy.version),
            mode: report.scans.first().map(|s| s.mode.clone()),
            policy_expires: active
                .as_ref()
                .and_then(|a| a.policy.expires)
                .map(|t| t.to_string()),
            stale: report.policy.as_ref().is_some_and(|p| p.expired),
            rules_hash: active.as_ref().map(|a| a.policy.rules_hash()),
            last_sync: report.sync.last_success.clone(),
            last_sync_error: report.sync.last_error.clone(),
            clock_problem: report.clock_problem.clone(),
            store_recovered: report.store_recovered.clone(),
            findings,
            device_settings: store
                .device_settings()?
                .0
                .into_iter()
                .map(|d| DeviceSettingRecord {
                    setting: d.setting.as_str().into(),
                    wanted: d.wanted,
                    on: d.on,
                    error: d.error,
                })
                .collect(),
            management: report
                .device
                .as_ref()
                .and_then(|d| d.powers.as_ref())
                .map(|p| ManagementRecord {
                    mode: serde_json::to_value(p.management)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    scopes: p.scopes.clone(),
                    cannot: p.cannot().into_iter().map(str::to_string).collect(),
                    monitor_only: p.monitor_only(),
                    user: p.user,
                    work_profile: p.work_profile,
                    summary: p.describe(),
                }),
            root_expires: trust.root_expires.map(|t| t.to_string()),
            root_expires_in_days: trust.root_expires_in_days,
            records_waiting: trust.records_waiting as u64,
            records_dropped: trust.records_dropped.total(),
            record_sinks_failing: trust
                .deliveries
                .iter()
                .filter_map(|d| d.last_error.clone())
                .collect(),
        })
    }

    /// The helpdesk report.
    pub fn report(&self, format: ReportFormat) -> Result<String, AgentError> {
        let store = self.reader()?;
        let report = Report::build_with_history(&store, Timestamp::now(), self.report_history)?;
        Ok(match format {
            ReportFormat::Text => report.to_text(),
            ReportFormat::Json => report.to_json(),
            ReportFormat::Html => report.to_html(),
        })
    }

    /// The device's trust and sync status as text: the same job and text as `appwacht status` on
    /// the host (dumpsys prints this).
    pub fn status_text(&self) -> Result<String, AgentError> {
        let store = self.reader()?;
        Ok(agent_core::status(&store, Timestamp::now())?.to_text())
    }

    /// Why an app is (or is not) blocked, as text: every matching rule and why the winner won,
    /// the finding, the agent's blocks and their history. The same job and the same text as
    /// `appwacht explain` on the host (dumpsys prints this).
    pub fn explain(&self, package: String) -> Result<String, AgentError> {
        let mut store = self.reader()?;
        Ok(agent_core::explain(&mut store, &package, Timestamp::now())?.to_text())
    }

    /// The same explanation as JSON.
    pub fn explain_json(&self, package: String) -> Result<String, AgentError> {
        let mut store = self.reader()?;
        Ok(agent_core::explain(&mut store, &package, Timestamp::now())?.to_json())
    }
}
