//! The phone for the typed API: the VM and the application context, kept from
//! `NativeBridge.init(context)`, so that UniFFI calls (which arrive through JNA, without a JNI
//! environment) can reach the framework on the calling thread.

use std::sync::Arc;

use agent_core::{Device, ManagedDevice};
use appwacht_ffi::{Platform, PlatformError, SettingReadback, register_platform};
use jni::objects::JObject;
use jni::refs::Global;
use jni::{Env, JavaVM};

use crate::device::AndroidDevice;
use crate::error::BridgeError;

struct JniPlatform {
    context: Global<JObject<'static>>,
    admin_receiver: String,
}

impl Platform for JniPlatform {
    fn with_device(
        &self,
        device: Device,
        f: &mut dyn FnMut(&mut dyn ManagedDevice, bool) -> Result<(), agent_core::Error>,
    ) -> Result<(), PlatformError> {
        let vm =
            JavaVM::singleton().map_err(|e| PlatformError::Failed(format!("no Java VM: {e}")))?;
        // On a thread the JVM already runs (a JNA call) this does not attach anew; it pushes a
        // local frame, so nothing leaks into the caller's.
        let result = vm.attach_current_thread(
            |env| -> Result<Result<(), agent_core::Error>, BridgeError> {
                let mut android =
                    AndroidDevice::new(env, &self.context, &self.admin_receiver, device.clone())?;
                let owner = android.is_owner();
                Ok(f(&mut android, owner))
            },
        );
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(PlatformError::Failed(e.to_string())),
            Err(e @ BridgeError::NotOwner { .. }) => Err(PlatformError::NotOwner(e.to_string())),
            Err(e) => Err(PlatformError::Failed(e.to_string())),
        }
    }

    fn device_settings(
        &self,
        changes: &[(agent_core::Setting, agent_core::SettingChange)],
    ) -> Result<Vec<SettingReadback>, PlatformError> {
        self.apply_settings(changes)
    }

    fn protect_agent(&self, support_message: &str) -> Result<(), PlatformError> {
        let vm =
            JavaVM::singleton().map_err(|e| PlatformError::Failed(format!("no Java VM: {e}")))?;
        let result = vm.attach_current_thread(|env| -> Result<(), BridgeError> {
            AndroidDevice::new(env, &self.context, &self.admin_receiver, Device::default())?
                .protect_agent(support_message)
        });
        match result {
            Ok(()) => Ok(()),
            Err(e @ BridgeError::NotOwner { .. }) => Err(PlatformError::NotOwner(e.to_string())),
            Err(e) => Err(PlatformError::Failed(e.to_string())),
        }
    }
}

impl JniPlatform {
    fn apply_settings(
        &self,
        changes: &[(agent_core::Setting, agent_core::SettingChange)],
    ) -> Result<Vec<SettingReadback>, PlatformError> {
        let vm =
            JavaVM::singleton().map_err(|e| PlatformError::Failed(format!("no Java VM: {e}")))?;
        let result = vm.attach_current_thread(|env| -> Result<_, BridgeError> {
            let mut device =
                AndroidDevice::new(env, &self.context, &self.admin_receiver, Device::default())?;
            let mut out = Vec::new();
            for &(setting, change) in changes {
                let (before, after, error) = device.device_setting(setting, change)?;
                out.push(SettingReadback {
                    setting,
                    before,
                    after,
                    error,
                });
            }
            Ok(out)
        });
        result.map_err(|e| match e {
            e @ BridgeError::NotOwner { .. } => PlatformError::NotOwner(e.to_string()),
            e => PlatformError::Failed(e.to_string()),
        })
    }
}

/// Keeps the application context and registers the phone with the typed API.
pub fn register(
    env: &mut Env<'_>,
    context: &JObject<'_>,
    admin_receiver: &str,
) -> Result<(), BridgeError> {
    let context = env.new_global_ref(context)?;
    register_platform(Arc::new(JniPlatform {
        context,
        admin_receiver: admin_receiver.to_string(),
    }));
    Ok(())
}
