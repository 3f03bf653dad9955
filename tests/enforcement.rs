//! Enforcement through the whole scan path: ownership of blocks, grace periods, expiring
//! exceptions, failures, convergence, and recovery from a run killed between acting and recording.

use std::panic::{AssertUnwindSafe, catch_unwind};

use agent_core::{
    Action, Enforcer, Enrolment, Mode, Package, PackageSource, Scope, SimulatedDevice, Step,
    StepKind, Store, Timestamp, scan,
};
use appwacht_tests::*;

const TIKTOK_SUSPEND: &str = r#"
[[rules]]
id = "tiktok"
effect = "deny"
action = "suspend"
message = "TikTok is not allowed on work phones."
match = { packages = ["com.zhiliaoapp.musically"] }

[[rules]]
id = "sideloaded"
effect = "deny"
action = "warn"
escalation = [{ after = "72h", action = "suspend" }]
match = { app = "user", not_installed_by = ["com.android.vending"] }
"#;

const ALLOW_ALL: &str = "[[rules]]\nid = \"nothing\"\neffect = \"deny\"\naction = \"report\"\nmatch = { packages = [\"no.such.app\"] }\n";

/// A store in memory with the suspend-on-sideload policy active, in enforce mode.
fn enforcing_store() -> Store {
    enforcing(Store::in_memory().unwrap())
}

/// This store with the suspend-on-sideload policy active, in enforce mode.
fn enforcing(mut store: Store) -> Store {
    store
        .activate_policy(
            &policy_json(TIKTOK_SUSPEND, 1, Mode::Enforce),
            "test",
            now(),
        )
        .unwrap();
    store
}

struct Phone {
    store: Store,
    device: SimulatedDevice,
    enrolment: Enrolment,
    version: u64,
}

impl Phone {
    fn new(packages: Vec<Package>) -> Phone {
        Phone {
            store: Store::in_memory().unwrap(),
            device: SimulatedDevice::new(inventory(&[], packages)),
            enrolment: enrolment(&[]),
            version: 0,
        }
    }

    fn load(&mut self, snippet: &str, mode: Mode) {
        self.version += 1;
        self.store
            .activate_policy(&policy_json(snippet, self.version, mode), "test", now())
            .unwrap();
    }

    /// One full scan at `at`; returns the steps taken as `kind package`.
    fn scan_at(&mut self, at: Timestamp) -> Vec<String> {
        let summary = scan(
            &mut self.store,
            &mut self.device,
            &self.enrolment,
            Scope::Full,
            "test",
            at,
        )
        .unwrap();
        summary
            .steps
            .iter()
            .map(|s| format!("{} {}", s.step.kind.as_str(), s.step.package))
            .collect()
    }

    fn pkg(&self, name: &str) -> &Package {
        self.device.inventory.package(name).unwrap()
    }

    fn owned(&self) -> Vec<String> {
        self.store
            .ownership()
            .unwrap()
            .iter()
            .map(|o| format!("{} {}", o.block.as_str(), o.package))
            .collect()
    }
}

#[test]
fn suspends_a_denied_app_records_ownership_and_then_plans_nothing() {
    let mut phone = Phone::new(vec![app("com.zhiliaoapp.musically"), app("com.whatsapp")]);
    phone.load(TIKTOK_SUSPEND, Mode::Enforce);
    assert_eq!(
        phone.scan_at(now()),
        [
            "suspend com.zhiliaoapp.musically",
            "warn com.zhiliaoapp.musically"
        ]
    );
    assert!(phone.pkg("com.zhiliaoapp.musically").suspended);
    assert!(!phone.pkg("com.whatsapp").suspended);
    assert_eq!(phone.owned(), ["suspend com.zhiliaoapp.musically"]);
    assert!(
        phone.scan_at(now()).is_empty(),
        "a second scan with nothing changed must plan nothing"
    );
    assert!(phone.scan_at(later("1h")).is_empty());
}

#[test]
fn monitor_mode_changes_nothing_and_tells_nobody() {
    let mut phone = Phone::new(vec![app("com.zhiliaoapp.musically")]);
    phone.load(TIKTOK_SUSPEND, Mode::Monitor);
    assert!(phone.scan_at(now()).is_empty());
    assert!(!phone.pkg("com.zhiliaoapp.musically").suspended);
    let findings = phone.store.findings().unwrap();
    assert_eq!(
        findings.len(),
        1,
        "the report still shows what would have been done"
    );
    assert_eq!(findings[0].action_now, Some(agent_core::Action::Suspend));
}

#[test]
fn lifts_only_blocks_it_placed_itself() {
    let mut by_emm = app("com.zhiliaoapp.musically");
    by_emm.suspended = true; // suspended by the EMM before the agent ever ran
    let mut phone = Phone::new(vec![by_emm, app("com.ss.android.ugc.trill")]);
    phone.load(
        "[[rules]]\nid = \"bytedance\"\neffect = \"deny\"\naction = \"suspend\"\nmatch = { packages = [\"com.zhiliaoapp.musically\", \"com.ss.android.ugc.trill\"] }\n",
        Mode::Enforce,
    );
    // Already suspended by someone else: the agent neither suspends it again nor claims it.
    assert_eq!(
        phone.scan_at(now()),
        [
            "suspend com.ss.android.ugc.trill",
            "warn com.ss.android.ugc.trill",
            "warn com.zhiliaoapp.musically"
        ]
    );
    assert_eq!(phone.owned(), ["suspend com.ss.android.ugc.trill"]);
    // The policy now allows both: the agent lifts its own block and leaves the EMM's alone.
    phone.load(ALLOW_ALL, Mode::Enforce);
    assert_eq!(
        phone.scan_at(later("1h")),
        ["unsuspend com.ss.android.ugc.trill"]
    );
    assert!(
        phone.pkg("com.zhiliaoapp.musically").suspended,
        "the EMM's block must stay"
    );
    assert!(!phone.pkg("com.ss.android.ugc.trill").suspended);
    assert!(phone.owned().is_empty());
}

#[test]
fn a_block_lifted_by_someone_else_is_placed_again_while_the_rule_holds_and_forgotten_when_it_does_not()
 {
    let mut phone = Phone::new(vec![app("com.zhiliaoapp.musically")]);
    phone.load(TIKTOK_SUSPEND, Mode::Enforce);
    phone.scan_at(now());
    phone.device.inventory.packages[0].suspended = false; // an admin lifted it through the EMM
    assert_eq!(
        phone.scan_at(later("1h")),
        ["suspend com.zhiliaoapp.musically"]
    );
    phone.device.inventory.packages[0].suspended = false;
    phone.load(ALLOW_ALL, Mode::Enforce);
    assert!(phone.scan_at(later("2h")).is_empty(), "nothing to lift");
    assert!(phone.owned().is_empty(), "the stale ownership is forgotten");
}

#[test]
fn grace_period_warns_first_and_suspends_after_72_hours() {
    let mut sideloaded = app("org.fdroid.fdroid");
    sideloaded.installer = Some("com.google.android.packageinstaller".into());
    let mut phone = Phone::new(vec![sideloaded]);
    phone.load(TIKTOK_SUSPEND, Mode::Enforce);
    assert_eq!(phone.scan_at(now()), ["warn org.fdroid.fdroid"]);
    assert!(
        phone.scan_at(later("71h")).is_empty(),
        "still within the grace period, already warned"
    );
    assert!(!phone.pkg("org.fdroid.fdroid").suspended);
    assert_eq!(
        phone.scan_at(later("72h")),
        ["suspend org.fdroid.fdroid", "warn org.fdroid.fdroid"]
    );
    assert!(phone.pkg("org.fdroid.fdroid").suspended);
    assert!(phone.scan_at(later("80h")).is_empty());
}

#[test]
fn grace_period_starts_when_enforcement_starts_not_when_monitoring_first_saw_it() {
    let mut sideloaded = app("org.fdroid.fdroid");
    sideloaded.installer = None;
    let mut phone = Phone::new(vec![sideloaded]);
    phone.load(TIKTOK_SUSPEND, Mode::Monitor);
    phone.scan_at(now());
    phone.load(TIKTOK_SUSPEND, Mode::Enforce);
    // Two weeks of monitoring later, the employee still gets the warning and the full 72 hours.
    assert_eq!(phone.scan_at(later("14d")), ["warn org.fdroid.fdroid"]);
    let f = &phone.store.findings().unwrap()[0];
    assert_eq!(
        f.since,
        now(),
        "the finding itself dates from the first sighting"
    );
    assert_eq!(f.next_escalation.map(|(at, _)| at), Some(later("17d")));
    assert!(phone.scan_at(later("16d")).is_empty());
    assert_eq!(
        phone.scan_at(later("17d")),
        ["suspend org.fdroid.fdroid", "warn org.fdroid.fdroid"]
    );
}

#[test]
fn going_back_to_monitor_mode_lifts_the_agents_blocks() {
    let mut phone = Phone::new(vec![app("com.zhiliaoapp.musically")]);
    phone.load(TIKTOK_SUSPEND, Mode::Enforce);
    phone.scan_at(now());
    phone.load(TIKTOK_SUSPEND, Mode::Monitor);
    assert_eq!(
        phone.scan_at(later("1h")),
        ["unsuspend com.zhiliaoapp.musically"]
    );
}

#[test]
fn an_exception_that_expires_turns_into_a_block() {
    let snippet = format!(
        "{TIKTOK_SUSPEND}\n[[exceptions]]\nrule = \"tiktok\"\ngroups = [\"inspection\"]\nreason = \"supervision\"\nexpires = \"{}\"\n",
        later("30d")
    );
    let mut phone = Phone::new(vec![app("com.zhiliaoapp.musically")]);
    phone.enrolment = enrolment(&["inspection"]);
    phone.load(&snippet, Mode::Enforce);
    assert!(phone.scan_at(now()).is_empty());
    assert_eq!(
        phone.store.findings().unwrap()[0].decision.outcome,
        agent_core::Outcome::Excepted
    );
    assert!(phone.scan_at(later("29d")).is_empty());
    assert_eq!(
        phone.scan_at(later("30d")),
        [
            "suspend com.zhiliaoapp.musically",
            "warn com.zhiliaoapp.musically"
        ]
    );
}

#[test]
fn a_package_that_becomes_the_emm_is_released() {
    let mut phone = Phone::new(vec![app("com.example.mdm")]);
    phone.load("[[rules]]\nid = \"x\"\neffect = \"deny\"\naction = \"suspend\"\nmatch = { packages = [\"com.example.mdm\"] }\n", Mode::Enforce);
    phone.scan_at(now());
    assert!(phone.pkg("com.example.mdm").suspended);
    phone.enrolment = Enrolment {
        emm_packages: vec!["com.example.mdm".into()],
        ..enrolment(&[])
    };
    assert_eq!(phone.scan_at(later("1h")), ["unsuspend com.example.mdm"]);
}

#[test]
fn a_step_the_platform_refuses_is_recorded_as_failed_and_retried() {
    let mut phone = Phone::new(vec![app("com.zhiliaoapp.musically")]);
    phone
        .device
        .refuse
        .insert("com.zhiliaoapp.musically".into());
    phone.load(TIKTOK_SUSPEND, Mode::Enforce);
    phone.scan_at(now());
    let log = phone.store.enforcement_log(10, None).unwrap();
    assert!(
        log.iter().any(|r| r.step == "suspend"
            && r.result == "failed"
            && r.error.as_deref().unwrap_or("").contains("refused")),
        "{log:?}"
    );
    assert!(phone.owned().is_empty(), "a failed block is not owned");
    phone.device.refuse.clear();
    assert_eq!(
        phone.scan_at(later("1h")),
        [
            "suspend com.zhiliaoapp.musically",
            "warn com.zhiliaoapp.musically"
        ]
    );
}

#[test]
fn uninstall_blocks_first_and_forgets_the_package_once_gone() {
    let mut phone = Phone::new(vec![app("com.lemon.lv")]);
    phone.load("[[rules]]\nid = \"x\"\neffect = \"deny\"\naction = \"uninstall\"\nmatch = { packages = [\"com.lemon.lv\"] }\n", Mode::Enforce);
    assert_eq!(
        phone.scan_at(now()),
        [
            "suspend com.lemon.lv",
            "warn com.lemon.lv",
            "uninstall com.lemon.lv"
        ]
    );
    assert!(phone.device.inventory.package("com.lemon.lv").is_none());
    assert!(phone.scan_at(later("1h")).is_empty());
    assert!(phone.owned().is_empty());
    assert!(
        phone.store.findings().unwrap().is_empty(),
        "the finding closed"
    );
}

#[test]
fn uninstall_of_a_system_app_hides_it_instead() {
    let mut phone = Phone::new(vec![system_app("com.vendor.games")]);
    phone.load("[[rules]]\nid = \"x\"\neffect = \"deny\"\naction = \"uninstall\"\nmatch = { packages = [\"com.vendor.games\"] }\n", Mode::Enforce);
    assert_eq!(
        phone.scan_at(now()),
        ["hide com.vendor.games", "warn com.vendor.games"]
    );
    assert!(phone.pkg("com.vendor.games").hidden);
    assert_eq!(phone.owned(), ["hide com.vendor.games"]);
}

#[test]
fn the_install_path_judges_one_package_and_leaves_other_findings_alone() {
    let mut phone = Phone::new(vec![app("com.zhiliaoapp.musically")]);
    phone.load(TIKTOK_SUSPEND, Mode::Enforce);
    phone.scan_at(now());
    let mut sideloaded = app("org.fdroid.fdroid");
    sideloaded.installer = None;
    phone.device.inventory.packages.push(sideloaded);
    let summary = scan(
        &mut phone.store,
        &mut phone.device,
        &phone.enrolment,
        Scope::Package("org.fdroid.fdroid"),
        "install",
        later("1m"),
    )
    .unwrap();
    assert_eq!(summary.packages, 1);
    assert_eq!(summary.steps.len(), 1);
    assert_eq!(summary.steps[0].step.kind, StepKind::Warn);
    let names: Vec<String> = phone
        .store
        .findings()
        .unwrap()
        .into_iter()
        .map(|f| f.decision.package)
        .collect();
    assert_eq!(names, ["com.zhiliaoapp.musically", "org.fdroid.fdroid"]);
    assert_eq!(phone.store.recent_scans(1).unwrap()[0].trigger, "install");
}

/// An enforcer that dies (as a process killed by the system would) after applying `n` steps.
struct DiesAfter {
    device: SimulatedDevice,
    left: usize,
}

/// A full scan of a phone with TikTok whose process dies after `steps` steps reached the device;
/// the device as the crash left it.
fn scan_killed_after(store: &mut Store, steps: usize) -> SimulatedDevice {
    let mut dying = DiesAfter {
        device: SimulatedDevice::new(inventory(&[], vec![app("com.zhiliaoapp.musically")])),
        left: steps,
    };
    let killed = catch_unwind(AssertUnwindSafe(|| {
        scan(
            store,
            &mut dying,
            &enrolment(&[]),
            Scope::Full,
            "test",
            now(),
        )
    }));
    assert!(
        killed.is_err(),
        "the scan should have died after {steps} step(s)"
    );
    dying.device
}

/// A simulated phone with one thing changed about how it acts: it reads as its `device` does.
macro_rules! reads_as_its_device {
    ($t:ty) => {
        impl PackageSource for $t {
            fn inventory(&mut self) -> Result<agent_core::Inventory, agent_core::Error> {
                self.device.inventory()
            }

            fn package(&mut self, name: &str) -> Result<Option<Package>, agent_core::Error> {
                self.device.package(name)
            }

            fn powers(&mut self) -> Result<Option<agent_core::Powers>, agent_core::Error> {
                self.device.powers()
            }
        }
    };
}

reads_as_its_device!(DiesAfter);

impl Enforcer for DiesAfter {
    fn apply(&mut self, step: &Step) -> Result<(), agent_core::StepError> {
        if self.left == 0 {
            panic!("killed");
        }
        self.left -= 1;
        self.device.apply(step)
    }
}

#[test]
fn a_run_killed_between_enforcing_and_recording_is_reconciled_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("compliance.db");
    let mut store = enforcing(Store::open(&db).unwrap());
    // The suspend reaches the device, then the process dies before the scan is recorded.
    let device_after_crash = scan_killed_after(&mut store, 1);
    drop(store);
    assert!(device_after_crash.inventory.packages[0].suspended);

    // A new process: the store knows of no scan and owns no block, but the journal remains.
    let mut store = Store::open(&db).unwrap();
    assert!(store.recent_scans(10).unwrap().is_empty());
    assert!(store.owned_blocks().unwrap().is_empty());
    assert_eq!(store.pending_steps().unwrap().len(), 2);

    // The policy changes to allow the app. Without reconciling, the agent would think the block
    // is someone else's and leave the app blocked for ever; with it, the block is adopted and lifted.
    store
        .activate_policy(&policy_json(ALLOW_ALL, 2, Mode::Enforce), "test", now())
        .unwrap();
    let mut device = device_after_crash;
    let summary = scan(
        &mut store,
        &mut device,
        &enrolment(&[]),
        Scope::Full,
        "test",
        later("1h"),
    )
    .unwrap();
    assert_eq!(summary.recovered.len(), 1, "{:?}", summary.recovered);
    assert_eq!(summary.recovered[0].kind, StepKind::Suspend);
    assert_eq!(
        summary
            .steps
            .iter()
            .map(|s| s.step.kind)
            .collect::<Vec<_>>(),
        [StepKind::Unsuspend]
    );
    assert!(!device.inventory.packages[0].suspended);
    assert!(store.pending_steps().unwrap().is_empty());
    let log = store.enforcement_log(10, None).unwrap();
    assert!(
        log.iter()
            .any(|r| r.result == "recovered" && r.step == "suspend"),
        "{log:?}"
    );
}

#[test]
fn a_run_killed_before_any_step_reached_the_device_recovers_nothing() {
    let mut store = enforcing_store();
    let mut source = scan_killed_after(&mut store, 0);
    let summary = scan(
        &mut store,
        &mut source,
        &enrolment(&[]),
        Scope::Full,
        "test",
        later("1m"),
    )
    .unwrap();
    assert!(summary.recovered.is_empty());
    assert_eq!(
        summary.steps.len(),
        2,
        "the suspend and the warning are planned again"
    );
}

#[test]
fn a_package_that_could_not_be_read_is_not_taken_for_uninstalled() {
    let mut phone = Phone::new(vec![app("com.zhiliaoapp.musically"), app("com.whatsapp")]);
    phone.load(TIKTOK_SUSPEND, Mode::Enforce);
    phone.scan_at(now());
    assert_eq!(phone.owned(), ["suspend com.zhiliaoapp.musically"]);
    // The next read fails for TikTok: it is listed as unreadable, not as gone.
    phone
        .device
        .inventory
        .packages
        .retain(|p| p.name != "com.zhiliaoapp.musically");
    phone
        .device
        .inventory
        .unreadable
        .push(agent_core::Unreadable {
            name: "com.zhiliaoapp.musically".into(),
            error: "java.lang.RuntimeException: simulated".into(),
        });
    let summary = scan(
        &mut phone.store,
        &mut phone.device,
        &phone.enrolment,
        Scope::Full,
        "test",
        later("1h"),
    )
    .unwrap();
    assert_eq!(summary.unreadable.len(), 1);
    assert_eq!(
        phone.owned(),
        ["suspend com.zhiliaoapp.musically"],
        "the block stays the agent's"
    );
    let findings: Vec<String> = phone
        .store
        .findings()
        .unwrap()
        .into_iter()
        .map(|f| f.decision.package)
        .collect();
    assert_eq!(
        findings,
        ["com.zhiliaoapp.musically"],
        "its finding stays open"
    );
    assert!(
        phone
            .store
            .records(0, 100)
            .unwrap()
            .iter()
            .any(|e| e.kind == "inventory.unreadable")
    );
}

// ---- Issue 10: the clock and the crash, from the side of whoever wants them broken ----

const WARN_THEN_UNINSTALL: &str = "[[rules]]\nid = \"lemon8\"\neffect = \"deny\"\naction = \"warn\"\nescalation = [{ after = \"72h\", action = \"uninstall\" }]\nmatch = { packages = [\"com.bd.nproject\"] }\n";

impl Phone {
    /// Loads a policy issued now and valid for 14 days, as a signed one would be.
    fn load_dated(&mut self, snippet: &str) {
        self.version += 1;
        let mut p = policy(snippet);
        p.version = self.version;
        p.mode = Mode::Enforce;
        p.issued_at = Some(now());
        p.expires = Some(later("14d"));
        self.store
            .activate_policy(&p.to_json(), "test", now())
            .unwrap();
    }
}

/// Issue 10.2: the employee sets the clock back to before the exception expired. Before, the scan
/// judged by the raw clock: the exception was in force again and the block was lifted.
#[test]
fn a_clock_set_back_keeps_an_expired_exception_expired_and_the_block_in_place() {
    let snippet = format!(
        "{TIKTOK_SUSPEND}\n[[exceptions]]\nrule = \"tiktok\"\ngroups = [\"inspection\"]\nreason = \"supervision\"\nexpires = \"{}\"\n",
        later("30d")
    );
    let mut phone = Phone::new(vec![app("com.zhiliaoapp.musically")]);
    phone.enrolment = enrolment(&["inspection"]);
    phone.load(&snippet, Mode::Enforce);
    phone.scan_at(later("31d"));
    assert!(phone.pkg("com.zhiliaoapp.musically").suspended);
    assert!(
        phone.scan_at(later("10d")).is_empty(),
        "a clock set back lifts nothing"
    );
    assert!(phone.pkg("com.zhiliaoapp.musically").suspended);
    assert_eq!(
        phone.store.findings().unwrap()[0].decision.outcome,
        agent_core::Outcome::Denied
    );
}

/// Issue 10.2: a block that escalated after its grace period stays when the clock is set back.
#[test]
fn a_clock_set_back_does_not_undo_an_escalation() {
    let mut sideloaded = app("org.fdroid.fdroid");
    sideloaded.installer = None;
    let mut phone = Phone::new(vec![sideloaded]);
    phone.load(TIKTOK_SUSPEND, Mode::Enforce);
    phone.scan_at(now());
    phone.scan_at(later("73h"));
    assert!(phone.pkg("org.fdroid.fdroid").suspended);
    assert!(phone.scan_at(later("1h")).is_empty());
    assert!(phone.pkg("org.fdroid.fdroid").suspended);
    // A relaxed rule (no escalation to suspend any more) does lower it.
    phone.load(
        "[[rules]]\nid = \"sideloaded\"\neffect = \"deny\"\naction = \"warn\"\nmatch = { app = \"user\", not_installed_by = [\"com.android.vending\"] }\n",
        Mode::Enforce,
    );
    assert_eq!(phone.scan_at(later("74h")), ["unsuspend org.fdroid.fdroid"]);
}

/// Issue 10.2: the clock set a year ahead to skip the grace period. Before, the uninstall ran at
/// once and the employee's data was gone. Now the app is suspended (reversible), the uninstall
/// waits, and the clock problem is reported.
#[test]
fn a_clock_set_far_ahead_suspends_but_never_uninstalls() {
    let mut phone = Phone::new(vec![app("com.bd.nproject")]);
    phone.load_dated(WARN_THEN_UNINSTALL);
    assert_eq!(phone.scan_at(now()), ["warn com.bd.nproject"]);
    let steps = phone.scan_at(later("365d"));
    assert!(
        !steps.iter().any(|s| s.starts_with("uninstall")),
        "{steps:?}"
    );
    assert!(phone.pkg("com.bd.nproject").suspended, "{steps:?}");
    let f = &phone.store.findings().unwrap()[0];
    assert!(
        f.held_back.as_deref().is_some_and(|h| h.contains("clock")),
        "{f:?}"
    );
    let report = agent_core::Report::build(&phone.store, later("365d")).unwrap();
    assert!(
        report
            .to_text()
            .contains("Clock problem: the phone's clock")
    );
    // Within the signed times, the same escalation does uninstall.
    let mut phone = Phone::new(vec![app("com.bd.nproject")]);
    phone.load_dated(WARN_THEN_UNINSTALL);
    phone.scan_at(now());
    assert!(
        phone
            .scan_at(later("73h"))
            .contains(&"uninstall com.bd.nproject".to_string())
    );
}

/// Issue 10.10: the agent journals a suspend and dies before it reaches the device; while it is
/// down the EMM suspends the same app. Before, the next run found the block, took it for its own,
/// and lifted it when the policy changed.
#[test]
fn a_block_the_emm_placed_while_the_agent_was_down_is_never_adopted() {
    let mut store = enforcing_store();
    let mut device = scan_killed_after(&mut store, 0);
    assert!(!device.inventory.packages[0].suspended);
    device.inventory.packages[0].suspended = true; // the EMM's block
    store
        .activate_policy(&policy_json(ALLOW_ALL, 2, Mode::Enforce), "test", now())
        .unwrap();
    let summary = scan(
        &mut store,
        &mut device,
        &enrolment(&[]),
        Scope::Full,
        "test",
        later("1h"),
    )
    .unwrap();
    assert!(summary.recovered.is_empty(), "{:?}", summary.recovered);
    assert!(summary.steps.is_empty(), "{:?}", summary.steps);
    assert!(
        device.inventory.packages[0].suspended,
        "the EMM's block stays"
    );
    assert!(store.owned_blocks().unwrap().is_empty());
}

/// A phone whose employee cannot be told (notifications off): warnings fail as "not told".
struct Muted {
    device: SimulatedDevice,
    can_tell: bool,
}

reads_as_its_device!(Muted);

impl Enforcer for Muted {
    fn apply(&mut self, step: &Step) -> Result<(), agent_core::StepError> {
        if step.kind == StepKind::Warn && !self.can_tell {
            return Err(agent_core::StepError::NotTold(
                "notifications are off".into(),
            ));
        }
        self.device.apply(step)
    }
}

/// Issue 12.4: a warning the employee could not get is recorded as "could not tell", never as
/// told, and given again at each scan until it is; then it is not repeated.
#[test]
fn a_warning_that_could_not_be_given_is_not_told_and_is_given_again() {
    let mut sideloaded = app("org.fdroid.fdroid");
    sideloaded.installer = None;
    let mut store = enforcing_store();
    let mut phone = Muted {
        device: SimulatedDevice::new(inventory(&[], vec![sideloaded])),
        can_tell: false,
    };
    let mut run = |phone: &mut Muted, at| {
        let s = scan(&mut store, phone, &enrolment(&[]), Scope::Full, "test", at).unwrap();
        let steps: Vec<String> = s
            .steps
            .iter()
            .map(|s| s.step.kind.as_str().to_string())
            .collect();
        let f = store.findings().unwrap().remove(0);
        (steps, f.warned, f.not_told)
    };
    let (steps, warned, not_told) = run(&mut phone, now());
    assert_eq!(steps, ["warn"]);
    assert_eq!(warned, None);
    assert_eq!(not_told.as_deref(), Some("notifications are off"));
    let (steps, warned, _) = run(&mut phone, later("1h"));
    assert_eq!(
        (steps, warned),
        (vec!["warn".to_string()], None),
        "tried again"
    );
    phone.can_tell = true;
    let (steps, warned, not_told) = run(&mut phone, later("2h"));
    assert_eq!(steps, ["warn"]);
    assert_eq!(warned, Some(Action::Warn));
    assert_eq!(not_told, None);
    let (steps, ..) = run(&mut phone, later("3h"));
    assert!(steps.is_empty(), "told once: {steps:?}");
}

/// The agent as a delegate of the EMM, holding these scopes.
fn delegate(scopes: &[&str]) -> agent_core::Powers {
    agent_core::Powers {
        management: agent_core::Management::Delegate,
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        user: 0,
        work_profile: false,
    }
}

const UNINSTALL_LEMON: &str = "[[rules]]\nid = \"capcut\"\neffect = \"deny\"\naction = \"uninstall\"\nmatch = { packages = [\"com.lemon.lv\"] }\n";

#[test]
fn a_delegate_with_package_access_suspends_and_asks_the_emm_to_uninstall() {
    let mut phone = Phone::new(vec![app("com.lemon.lv")]);
    phone.device.inventory.device.powers = Some(delegate(&[agent_core::PACKAGE_ACCESS]));
    phone.load(UNINSTALL_LEMON, Mode::Enforce);
    assert_eq!(
        phone.scan_at(now()),
        ["suspend com.lemon.lv", "warn com.lemon.lv"],
        "no uninstall the platform would refuse a delegate"
    );
    assert!(phone.pkg("com.lemon.lv").suspended);
    let finding = phone.store.findings().unwrap().remove(0);
    assert!(
        finding
            .held_back
            .as_deref()
            .is_some_and(|h| h.starts_with("uninstall needs the EMM")),
        "{finding:?}"
    );
    assert!(
        finding
            .emm_request
            .as_deref()
            .is_some_and(|r| r.starts_with("remove com.lemon.lv"))
    );
    let report = agent_core::Report::build(&phone.store, now())
        .unwrap()
        .to_text();
    assert!(
        report.contains(
            "Management: delegate of the EMM (scopes: package-access); cannot uninstall apps"
        ),
        "{report}"
    );
    assert!(
        report.contains("taken in part: uninstall needs the EMM"),
        "{report}"
    );
    assert!(
        report.contains("the EMM is asked to: remove com.lemon.lv"),
        "{report}"
    );
    // Converges: nothing more to do, and still nothing it cannot.
    assert!(phone.scan_at(later("1h")).is_empty());
}

#[test]
fn a_delegate_whose_scope_is_revoked_monitors_and_says_so() {
    let mut phone = Phone::new(vec![app("com.zhiliaoapp.musically")]);
    phone.device.inventory.device.powers = Some(delegate(&[agent_core::PACKAGE_ACCESS]));
    phone.load(TIKTOK_SUSPEND, Mode::Enforce);
    assert_eq!(
        phone.scan_at(now()),
        [
            "suspend com.zhiliaoapp.musically",
            "warn com.zhiliaoapp.musically"
        ]
    );
    // The EMM takes package access away: nothing is placed or lifted (the platform would refuse
    // either), the block the agent placed stays its own, and the record says what is not done.
    phone.device.inventory.device.powers = Some(delegate(&[agent_core::BLOCK_UNINSTALL]));
    phone
        .device
        .inventory
        .packages
        .push(app("com.ss.android.ugc.trill"));
    phone.load(
        &format!("{TIKTOK_SUSPEND}\n[[rules]]\nid = \"trill\"\neffect = \"deny\"\naction = \"suspend\"\nmatch = {{ packages = [\"com.ss.android.ugc.trill\"] }}\n"),
        Mode::Enforce,
    );
    assert!(phone.scan_at(later("1h")).is_empty());
    assert!(!phone.pkg("com.ss.android.ugc.trill").suspended);
    assert_eq!(phone.owned(), ["suspend com.zhiliaoapp.musically"]);
    let status = agent_core::status(&phone.store, later("1h"))
        .unwrap()
        .to_text();
    assert!(
        status
            .contains("Management: delegate of the EMM (scopes: block-uninstall); monitoring only"),
        "{status}"
    );
    let report = agent_core::Report::build(&phone.store, later("1h"))
        .unwrap()
        .to_text();
    assert!(
        report.contains("not taken: monitoring only: the agent cannot block apps here"),
        "{report}"
    );
    assert!(!report.contains(": taken  since"), "{report}");
}

#[test]
fn an_agent_that_is_neither_owner_nor_delegate_never_pretends_to_enforce() {
    let mut phone = Phone::new(vec![app("com.zhiliaoapp.musically")]);
    phone.device.inventory.device.powers = Some(agent_core::Powers {
        management: agent_core::Management::Unmanaged,
        ..delegate(&[])
    });
    phone.load(TIKTOK_SUSPEND, Mode::Enforce);
    assert!(
        phone.scan_at(now()).is_empty(),
        "no step, no notice of a block that is not there"
    );
    assert!(!phone.pkg("com.zhiliaoapp.musically").suspended);
    let report = agent_core::Report::build(&phone.store, now())
        .unwrap()
        .to_text();
    assert!(
        report.contains("Management: neither owner nor delegate; monitoring only"),
        "{report}"
    );
    assert!(
        report.contains("NOT COMPLIANT"),
        "the finding stands: {report}"
    );
}

#[test]
fn a_scope_revoked_for_a_moment_neither_resets_a_grace_period_nor_lifts_the_block() {
    let mut sideloaded = app("org.fdroid.fdroid");
    sideloaded.installer = Some("com.google.android.packageinstaller".into());
    let mut phone = Phone::new(vec![sideloaded]);
    let access = delegate(&[agent_core::PACKAGE_ACCESS]);
    phone.device.inventory.device.powers = Some(access.clone());
    phone.load(TIKTOK_SUSPEND, Mode::Enforce);
    assert_eq!(phone.scan_at(now()), ["warn org.fdroid.fdroid"]);
    assert_eq!(
        phone.scan_at(later("73h")),
        ["suspend org.fdroid.fdroid", "warn org.fdroid.fdroid"]
    );
    // The EMM takes package access away for a while, then gives it back.
    phone.device.inventory.device.powers = Some(delegate(&[]));
    assert!(phone.scan_at(later("74h")).is_empty());
    phone.device.inventory.device.powers = Some(access);
    assert!(
        phone.scan_at(later("75h")).is_empty(),
        "the grace period did not start again, so the block stays"
    );
    assert!(phone.pkg("org.fdroid.fdroid").suspended);
}
