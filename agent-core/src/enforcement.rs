//! Enforcement planning: from decisions and the device's real state to the steps to take.
//!
//! The plan honours grace periods (the action in force follows the escalation ladder from when the
//! finding was first seen), undoes only blocks the agent placed itself (ownership comes from the
//! store), and converges: planning again with nothing changed plans nothing.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::engine::{Decision, Outcome};
use crate::inventory::{Inventory, Package};
use crate::policy::{Action, Mode};
use crate::time::Timestamp;

/// A block the agent can place and must be able to lift.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Block {
    /// Launches blocked.
    Suspend,
    /// Hidden from the launcher.
    Hide,
}

impl Block {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Block::Suspend => "suspend",
            Block::Hide => "hide",
        }
    }

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<Block> {
        match text {
            "suspend" => Some(Block::Suspend),
            "hide" => Some(Block::Hide),
            _ => None,
        }
    }
}

/// One thing to do on the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// Block launches.
    Suspend,
    /// Lift a block the agent placed.
    Unsuspend,
    /// Hide the app.
    Hide,
    /// Show an app the agent hid.
    Unhide,
    /// Tell the employee.
    Warn,
    /// Remove the app.
    Uninstall,
}

impl StepKind {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Suspend => "suspend",
            StepKind::Unsuspend => "unsuspend",
            StepKind::Hide => "hide",
            StepKind::Unhide => "unhide",
            StepKind::Warn => "warn",
            StepKind::Uninstall => "uninstall",
        }
    }

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<StepKind> {
        [
            Self::Suspend,
            Self::Unsuspend,
            Self::Hide,
            Self::Unhide,
            Self::Warn,
            Self::Uninstall,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }

    /// The block this step places (`Some(true)`) or lifts (`Some(false)`).
    pub fn block(self) -> Option<(Block, bool)> {
        match self {
            StepKind::Suspend => Some((Block::Suspend, true)),
            StepKind::Unsuspend => Some((Block::Suspend, false)),
            StepKind::Hide => Some((Block::Hide, true)),
            StepKind::Unhide => Some((Block::Hide, false)),
            StepKind::Warn | StepKind::Uninstall => None,
        }
    }
}

/// One planned step, with what the employee is told.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The package.
    pub package: String,
    /// What to do.
    pub kind: StepKind,
    /// The rule behind it (none when lifting a block no rule asks for any more).
    pub rule: Option<String>,
    /// The action in force, for warnings.
    pub action: Option<Action>,
    /// The rule's message.
    pub message: Option<String>,
    /// The rule's link.
    pub link: Option<String>,
    /// The app's label ("TikTok"), for what the employee is told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// Reads what is installed. On the phone: `PackageManager`; on the host: a JSON file.
pub trait PackageSource {
    /// The device and every installed package.
    fn inventory(&mut self) -> Result<Inventory, crate::Error>;
    /// One package, if installed (the path taken right after an install).
    fn package(&mut self, name: &str) -> Result<Option<Package>, crate::Error>;
    /// The agent's mode and powers now, if the platform tells (on the phone: owner, delegate and
    /// its scopes, the user); `None` keeps what the last full inventory said. Read on the install
    /// path too, because an EMM can revoke a scope at any time. No default: a wrapper that did
    /// not pass this on would act on powers the agent no longer has.
    fn powers(&mut self) -> Result<Option<crate::powers::Powers>, crate::Error>;
    /// Packages changed since `sequence`, if the platform can tell (the catch-up at start).
    fn changed_since(
        &mut self,
        _sequence: u32,
    ) -> Result<Option<crate::inventory::Changes>, crate::Error> {
        Ok(None)
    }
}

/// Why one step was not carried out: what the platform (or the app, for a warning) answered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StepError {
    /// The agent may not act at all: it is neither device owner nor profile owner.
    #[error("{0}")]
    NotOwner(String),
    /// The platform refused this package (it protects it, or it is not installed).
    #[error("{0}")]
    Refused(String),
    /// The employee could not be told (notifications are off or not allowed, no notifier).
    #[error("{0}")]
    NotTold(String),
    /// Reaching the platform failed (it threw, or the bridge to it did).
    #[error("{0}")]
    Platform(String),
}

/// Acts on the device. On the phone: `DevicePolicyManager`; on the host: [`SimulatedDevice`].
pub trait Enforcer {
    /// Carries out one step; the error says what the platform answered.
    fn apply(&mut self, step: &Step) -> Result<(), StepError>;
}

/// A device the agent reads and acts on. On the phone one object does both, because both go
/// through the same JNI environment; on the host, [`SimulatedDevice`].
pub trait ManagedDevice: PackageSource + Enforcer {}

impl<T: PackageSource + Enforcer> ManagedDevice for T {}

/// What the store remembers of a finding between scans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriorFinding {
    /// The rule it was for.
    pub rule: Option<String>,
    /// When it was first seen.
    pub since: Timestamp,
    /// When it was first seen in enforce mode: the grace period counts from here, so an employee
    /// always gets the warning's full grace period even after weeks of monitor mode.
    pub enforced_since: Option<Timestamp>,
    /// The strongest action the employee has been told about.
    pub warned: Option<Action>,
    /// The action that was in force at the last scan: an escalation that happened stays, even if
    /// the clock is set back afterwards, while the rule still escalates to it.
    pub action: Option<Action>,
}

/// A finding as it stands after this scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The decision.
    #[serde(flatten)]
    pub decision: Decision,
    /// When this finding (same package, same rule) was first seen.
    pub since: Timestamp,
    /// When it was first seen in enforce mode (the start of its grace period).
    pub enforced_since: Option<Timestamp>,
    /// The action in force now, after the escalation ladder; `None` for excepted packages.
    pub action_now: Option<Action>,
    /// The next escalation, if one is due later.
    pub next_escalation: Option<(Timestamp, Action)>,
    /// The strongest action the employee has been told about.
    pub warned: Option<Action>,
    /// Why the action in force is not carried out in full now (an uninstall waiting for the clock
    /// to be believable again), if it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_back: Option<String>,
    /// Why the employee could not be told of the action in force, when the last attempt failed
    /// (notifications off or not allowed). Never recorded as told then: the warning is given
    /// again at the next scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_told: Option<String>,
    /// The app's label at the last scan ("TikTok"), for people; the package name decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What the EMM is asked to do because the agent cannot (remove the app, when the agent is
    /// a delegate and the action in force is an uninstall).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emm_request: Option<String>,
}

/// Everything a scan decided to do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Steps for the device, in order.
    pub steps: Vec<Step>,
    /// Findings to record.
    pub findings: Vec<Finding>,
    /// Blocks recorded as the agent's that are no longer on the device (lifted by someone else,
    /// or the app is gone): forget them without acting.
    pub stale_ownership: Vec<(String, Block)>,
}

/// Plans the steps for the scanned packages. `full` says whether `inventory` is the whole device
/// (then blocks owned on packages that are gone are forgotten).
pub fn plan(
    decisions: &[Decision],
    inventory: &[Package],
    prior: &HashMap<String, PriorFinding>,
    owned: &HashSet<(String, Block)>,
    mode: Mode,
    now: Timestamp,
    full: bool,
) -> Plan {
    let mut out = Plan::default();
    let by_name: HashMap<&str, &Package> = inventory.iter().map(|p| (p.name.as_str(), p)).collect();
    for decision in decisions {
        let Some(package) = by_name.get(decision.package.as_str()) else {
            continue;
        };
        let mut finding = None;
        if decision.is_finding() {
            let previous = prior
                .get(&decision.package)
                .filter(|p| p.rule == decision.rule);
            let since = previous.map_or(now, |p| p.since);
            let enforced_since = match mode {
                Mode::Enforce => Some(previous.and_then(|p| p.enforced_since).unwrap_or(now)),
                Mode::Monitor => None,
            };
            let grace_start = enforced_since.unwrap_or(now);
            let action_now = match decision.outcome {
                // Escalation only goes up: what was in force stays while the rule's ladder still
                // reaches it (a relaxed rule lowers it; a clock set back does not).
                Outcome::Denied => decision.action_after(now.since(grace_start).max(0)).max(
                    previous.and_then(|p| p.action).filter(|a| {
                        mode == Mode::Enforce
                            && (decision.action == Some(*a)
                                || decision.escalation.iter().any(|e| e.action == *a))
                    }),
                ),
                _ => None,
            };
            finding = Some(Finding {
                decision: decision.clone(),
                since,
                enforced_since,
                action_now,
                next_escalation: action_now
                    .and_then(|_| decision.next_escalation(grace_start, now)),
                warned: previous.and_then(|p| p.warned),
                held_back: None,
                not_told: None,
                label: package.label.clone(),
                emm_request: None,
            });
        }
        let enforced = if mode == Mode::Enforce {
            finding.as_ref().and_then(|f| f.action_now)
        } else {
            None
        };
        let step = |kind| Step {
            package: decision.package.clone(),
            kind,
            rule: decision.rule.clone(),
            action: enforced,
            message: decision.message.clone(),
            link: decision.link.clone(),
            label: package.label.clone(),
        };
        // A system app cannot be uninstalled by a device owner; hiding it is the strongest block.
        let uninstall = enforced == Some(Action::Uninstall) && !package.system;
        let want_suspend = matches!(enforced, Some(Action::Suspend)) || uninstall;
        let want_hide = enforced == Some(Action::Hide)
            || (enforced == Some(Action::Uninstall) && package.system);
        for (block, want, is_on, place, lift) in [
            (
                Block::Suspend,
                want_suspend,
                package.suspended,
                StepKind::Suspend,
                StepKind::Unsuspend,
            ),
            (
                Block::Hide,
                want_hide,
                package.hidden,
                StepKind::Hide,
                StepKind::Unhide,
            ),
        ] {
            let ours = owned.contains(&(decision.package.clone(), block));
            match (want, is_on, ours) {
                (true, false, _) => out.steps.push(step(place)),
                (false, true, true) => out.steps.push(Step {
                    rule: None,
                    action: None,
                    message: None,
                    link: None,
                    ..step(lift)
                }),
                (false, false, true) => out.stale_ownership.push((decision.package.clone(), block)),
                // Wanted and already there (ours or someone else's), or not ours to lift.
                _ => {}
            }
        }
        // The employee is told once per level of action (a warning, then the block).
        if let (Some(action), Some(f)) = (enforced, finding.as_mut())
            && action >= Action::Warn
            && f.warned.is_none_or(|w| w < action)
        {
            out.steps.push(step(StepKind::Warn));
        }
        if uninstall {
            out.steps.push(step(StepKind::Uninstall));
        }
        out.findings.extend(finding);
    }
    if full {
        let mut gone: Vec<(String, Block)> = owned
            .iter()
            .filter(|(name, _)| !by_name.contains_key(name.as_str()))
            .cloned()
            .collect();
        gone.sort();
        out.stale_ownership.extend(gone);
    }
    out
}

/// The host's device: an inventory in memory that records every step it was asked to take.
#[derive(Clone, Debug)]
pub struct SimulatedDevice {
    /// The device as it stands after the steps applied so far.
    pub inventory: Inventory,
    /// Every step asked for, in order, with its result.
    pub log: Vec<(Step, Result<(), StepError>)>,
    /// Packages the simulated platform refuses to change (as `setPackagesSuspended` reports some).
    pub refuse: HashSet<String>,
}

impl SimulatedDevice {
    /// A simulated device holding this inventory.
    pub fn new(inventory: Inventory) -> Self {
        SimulatedDevice {
            inventory,
            log: Vec::new(),
            refuse: HashSet::new(),
        }
    }
}

impl PackageSource for SimulatedDevice {
    fn inventory(&mut self) -> Result<Inventory, crate::Error> {
        Ok(self.inventory.clone())
    }

    fn package(&mut self, name: &str) -> Result<Option<Package>, crate::Error> {
        Ok(self.inventory.package(name).cloned())
    }

    fn powers(&mut self) -> Result<Option<crate::powers::Powers>, crate::Error> {
        Ok(self.inventory.device.powers.clone())
    }
}

impl Enforcer for SimulatedDevice {
    fn apply(&mut self, step: &Step) -> Result<(), StepError> {
        let result = if self.refuse.contains(&step.package) {
            Err(StepError::Refused(format!(
                "the platform refused to change {}",
                step.package
            )))
        } else {
            match self
                .inventory
                .packages
                .iter()
                .position(|p| p.name == step.package)
            {
                None => Err(StepError::Refused(format!(
                    "{} is not installed",
                    step.package
                ))),
                Some(i) => {
                    let packages = &mut self.inventory.packages;
                    match (step.kind, packages.get_mut(i)) {
                        (StepKind::Suspend, Some(p)) => p.suspended = true,
                        (StepKind::Unsuspend, Some(p)) => p.suspended = false,
                        (StepKind::Hide, Some(p)) => p.hidden = true,
                        (StepKind::Unhide, Some(p)) => p.hidden = false,
                        (StepKind::Uninstall, _) => {
                            packages.remove(i);
                        }
                        _ => {}
                    }
                    Ok(())
                }
            }
        };
        self.log.push((step.clone(), result.clone()));
        result
    }
}
