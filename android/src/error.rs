//! The adapter's errors: what the platform threw, what JNI refused, or what the core said.

use std::fmt;

/// Everything that can go wrong between the core and the framework.
#[derive(Debug)]
pub enum BridgeError {
    /// A framework method threw; the exception was caught and cleared.
    Thrown {
        /// The member called, as `Class.method`.
        during: String,
        /// The exception's class.
        class: String,
        /// Its message.
        message: String,
    },
    /// JNI itself failed (a missing class or member, a wrong type).
    Jni(String),
    /// The agent may not do this here: it is not owner, and the EMM did not delegate it.
    NotOwner {
        /// The app's package.
        package: String,
        /// What it may not do ("suspend and hide apps").
        power: &'static str,
        /// Its mode, as [`agent_core::Powers::describe`] says it.
        mode: String,
    },
    /// The core failed (store, policy, inventory).
    Core(agent_core::Error),
    /// The platform did not do what was asked (it protects the package, or it is gone).
    Refused(String),
    /// The request from the app is not usable.
    Request(String),
}

impl fmt::Display for BridgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BridgeError::Thrown {
                during,
                class,
                message,
            } => write!(f, "{during} threw {class}: {message}"),
            BridgeError::Jni(e) => write!(f, "JNI failed: {e}"),
            BridgeError::NotOwner {
                package,
                power,
                mode,
            } => write!(
                f,
                "{package} may not {power} here ({mode}); make it device owner (adb shell dpm \
                 set-device-owner {package}/.AdminReceiver) or let the EMM delegate the scope to it \
                 (docs/DEPLOYMENT.md)"
            ),
            BridgeError::Core(e) => write!(f, "{e}"),
            BridgeError::Refused(e) => f.write_str(e),
            BridgeError::Request(e) => write!(f, "the request is not valid: {e}"),
        }
    }
}

impl std::error::Error for BridgeError {}

impl From<jni::errors::Error> for BridgeError {
    fn from(e: jni::errors::Error) -> Self {
        BridgeError::Jni(e.to_string())
    }
}

impl From<agent_core::Error> for BridgeError {
    fn from(e: agent_core::Error) -> Self {
        BridgeError::Core(e)
    }
}

impl From<BridgeError> for agent_core::Error {
    fn from(e: BridgeError) -> Self {
        match e {
            BridgeError::Core(e) => e,
            other => agent_core::Error::PackageSource(other.to_string()),
        }
    }
}
