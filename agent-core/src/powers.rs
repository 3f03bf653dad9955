//! What the agent may do on this phone, and what it must say it cannot.
//!
//! A phone has one device owner, and it is usually the organisation's EMM: the agent then works
//! with the scopes the EMM delegated to it (`DevicePolicyManager.setDelegatedScopes`). Package
//! access covers suspending and hiding; uninstalling other apps and the support message cannot be
//! delegated. A scan never plans what the agent's powers cannot carry out: an uninstall becomes
//! the strongest block it can place and the EMM is asked to remove the app, and with no power to
//! block at all the agent monitors and reports — it never pretends to enforce.

use serde::{Deserialize, Serialize};

use crate::enforcement::{Finding, Plan, StepKind};
use crate::policy::Action;

/// The platform's name of the package-access scope (suspend, hide).
pub const PACKAGE_ACCESS: &str = "delegation-package-access";
/// The platform's name of the block-uninstall scope.
pub const BLOCK_UNINSTALL: &str = "delegation-block-uninstall";
/// The platform's name of the permission-grant scope.
pub const PERMISSION_GRANT: &str = "delegation-permission-grant";

/// How the agent is managed on this phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Management {
    /// The agent is the device owner.
    DeviceOwner,
    /// The agent is the profile owner (of a work profile, or of the user).
    ProfileOwner,
    /// Another app (the EMM) is owner and delegated scopes to the agent.
    Delegate,
    /// Neither owner nor delegate: the agent can only watch.
    Unmanaged,
}

/// One thing the agent may or may not do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Power {
    /// Suspend and hide apps (and lift its own blocks).
    Block,
    /// Uninstall other apps silently.
    Uninstall,
    /// Block its own uninstall.
    ProtectSelf,
    /// Set the text of the system's "blocked by your organisation" dialog.
    SupportMessage,
    /// Apply the policy's `[device]` settings.
    DeviceSettings,
}

impl Power {
    const ALL: [Power; 5] = [
        Power::Block,
        Power::Uninstall,
        Power::ProtectSelf,
        Power::SupportMessage,
        Power::DeviceSettings,
    ];

    /// The power in the product's words.
    pub fn as_str(self) -> &'static str {
        match self {
            Power::Block => "suspend and hide apps",
            Power::Uninstall => "uninstall apps",
            Power::ProtectSelf => "block its own uninstall",
            Power::SupportMessage => "set the support message",
            Power::DeviceSettings => "apply device settings",
        }
    }
}

/// The agent's mode on this phone and the scopes it holds, as the phone reported them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Powers {
    /// How the agent is managed.
    pub management: Management,
    /// The delegated scopes held, as the platform names them (for a delegate).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// The Android user the agent runs as (0: the device's main user; 10 and up: a profile).
    #[serde(default)]
    pub user: u32,
    /// Whether that user is a work profile: the agent sees and acts on the profile's apps only.
    #[serde(default)]
    pub work_profile: bool,
}

impl Powers {
    /// A device owner in user 0: every power (the host's simulated devices).
    pub fn device_owner() -> Self {
        Powers {
            management: Management::DeviceOwner,
            scopes: Vec::new(),
            user: 0,
            work_profile: false,
        }
    }

    /// Whether the agent may do this.
    pub fn may(&self, power: Power) -> bool {
        match self.management {
            Management::DeviceOwner => true,
            // A profile owner acts within its profile; the platform answers for each setting.
            Management::ProfileOwner => true,
            Management::Delegate => match power {
                Power::Block => self.holds(PACKAGE_ACCESS),
                Power::ProtectSelf => self.holds(BLOCK_UNINSTALL),
                // Not delegable (DevicePolicyManager): only the owner may.
                Power::Uninstall | Power::SupportMessage | Power::DeviceSettings => false,
            },
            Management::Unmanaged => false,
        }
    }

    fn holds(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// What the agent cannot do here, in the product's words.
    pub fn cannot(&self) -> Vec<&'static str> {
        Power::ALL
            .into_iter()
            .filter(|p| !self.may(*p))
            .map(Power::as_str)
            .collect()
    }

    /// Whether the agent only watches: it cannot block anything.
    pub fn monitor_only(&self) -> bool {
        !self.may(Power::Block)
    }

    /// The mode and its powers in one line, for status, the report and the EMM.
    pub fn describe(&self) -> String {
        let mode = match self.management {
            Management::DeviceOwner => "device owner".to_string(),
            Management::ProfileOwner => "profile owner".to_string(),
            Management::Delegate if self.scopes.is_empty() => {
                "delegate of the EMM, without any scope".to_string()
            }
            Management::Delegate => format!(
                "delegate of the EMM (scopes: {})",
                self.scopes
                    .iter()
                    .map(|s| s.strip_prefix("delegation-").unwrap_or(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Management::Unmanaged => "neither owner nor delegate".to_string(),
        };
        let mut out = mode;
        if self.monitor_only() {
            out.push_str("; monitoring only: the agent cannot block apps here");
        }
        let cannot = self.cannot();
        if !cannot.is_empty() && !self.monitor_only() {
            out.push_str("; cannot ");
            out.push_str(&cannot.join(", "));
        }
        if let Some(scope) = self.visibility() {
            out.push_str("; ");
            out.push_str(&scope);
        }
        out
    }

    /// What the agent can see, when it is not the whole phone.
    pub fn visibility(&self) -> Option<String> {
        self.work_profile.then(|| {
            format!(
                "work profile of user {}; the personal side is not visible",
                self.user
            )
        })
    }

    /// Cuts the plan down to what these powers can carry out, and says so on each finding that
    /// is not carried out in full. Returns the requests the EMM must carry out.
    pub(crate) fn limit(&self, plan: &mut Plan) {
        if self.monitor_only() {
            // Nothing is placed, nothing lifted (a block placed before the scope was revoked
            // stays until the agent may lift it again), and no one is told of a block that is
            // not there.
            plan.steps.clear();
            let why = format!(
                "monitoring only: the agent cannot block apps here ({})",
                self.describe_mode()
            );
            for f in &mut plan.findings {
                if f.action_now.is_some_and(|a| a > Action::Report) {
                    f.held_back = Some(why.clone());
                }
            }
            return;
        }
        if !self.may(Power::Uninstall) {
            // The suspend planned with each uninstall still blocks the app.
            plan.steps.retain(|s| s.kind != StepKind::Uninstall);
            for f in &mut plan.findings {
                if f.action_now == Some(Action::Uninstall) {
                    mark_for_emm(f, &self.describe_mode());
                }
            }
        }
    }

    fn describe_mode(&self) -> String {
        match self.management {
            Management::Delegate => "the agent is a delegate of the EMM".into(),
            Management::Unmanaged => "the agent is neither owner nor delegate".into(),
            Management::DeviceOwner => "device owner".into(),
            Management::ProfileOwner => "profile owner".into(),
        }
    }
}

fn mark_for_emm(f: &mut Finding, mode: &str) {
    f.held_back = Some(format!(
        "uninstall needs the EMM ({mode}): the app is blocked instead, and the EMM is asked to remove it"
    ));
    f.emm_request = Some(format!(
        "remove {}: the policy's rule {} asks to uninstall it, and only the EMM can",
        f.decision.package,
        f.decision.rule.as_deref().unwrap_or("-")
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delegate(scopes: &[&str]) -> Powers {
        Powers {
            management: Management::Delegate,
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            user: 0,
            work_profile: false,
        }
    }

    #[test]
    fn a_delegate_with_package_access_blocks_but_never_uninstalls() {
        let p = delegate(&[PACKAGE_ACCESS]);
        assert!(p.may(Power::Block));
        assert!(!p.may(Power::Uninstall));
        assert!(!p.may(Power::SupportMessage));
        assert!(!p.may(Power::ProtectSelf));
        assert_eq!(
            p.describe(),
            "delegate of the EMM (scopes: package-access); cannot uninstall apps, block its own \
             uninstall, set the support message, apply device settings"
        );
    }

    #[test]
    fn without_a_scope_the_agent_only_watches() {
        for p in [
            delegate(&[]),
            delegate(&[BLOCK_UNINSTALL]),
            Powers {
                management: Management::Unmanaged,
                ..delegate(&[PACKAGE_ACCESS])
            },
        ] {
            assert!(p.monitor_only(), "{p:?}");
            assert!(p.describe().contains("monitoring only"), "{}", p.describe());
        }
        assert!(!Powers::device_owner().monitor_only());
    }

    #[test]
    fn a_work_profile_says_what_is_not_visible() {
        let p = Powers {
            user: 10,
            work_profile: true,
            ..delegate(&[PACKAGE_ACCESS, BLOCK_UNINSTALL])
        };
        assert!(
            p.describe()
                .ends_with("work profile of user 10; the personal side is not visible")
        );
    }
}
