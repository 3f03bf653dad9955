//! The phone for the typed API: the VM and the application context, kept from
//! `NativeBridge.init(context)`, so that UniFFI calls (which arrive through JNA, without a JNI
//! environment) can reach the framework on the calling thread.

use std::sync::Arc;

use agent_core::{Device, ManagedDevice};
use appwacht_ffi::{DeviceAccess, DeviceAccessError, register_device_access};
use jni::objects::JObject;
use jni::refs::Global;
use jni::{Env, JavaVM};

use crate::device::AndroidDevice;
use crate::error::BridgeError;

struct JniDeviceAccess {
    context: Global<JObject<'static>>,
    admin_receiver: String,
}

impl DeviceAccess for JniDeviceAccess {
    fn with_device(
        &self,
        device: Device,
        f: &mut dyn FnMut(&mut dyn ManagedDevice, bool) -> Result<(), agent_core::Error>,
    ) -> Result<(), DeviceAccessError> {
        let vm = JavaVM::singleton()
            .map_err(|e| DeviceAccessError::Failed(format!("no Java VM: {e}")))?;
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
            Ok(Err(e)) => Err(DeviceAccessError::Failed(e.to_string())),
            Err(BridgeError::NotOwner { package }) => Err(DeviceAccessError::NotOwner(package)),
            Err(e) => Err(DeviceAccessError::Failed(e.to_string())),
        }
    }

    fn protect_agent(&self, support_message: &str) -> Result<(), DeviceAccessError> {
        let vm = JavaVM::singleton()
            .map_err(|e| DeviceAccessError::Failed(format!("no Java VM: {e}")))?;
        let result = vm.attach_current_thread(|env| -> Result<(), BridgeError> {
            AndroidDevice::new(env, &self.context, &self.admin_receiver, Device::default())?
                .protect_agent(support_message)
        });
        match result {
            Ok(()) => Ok(()),
            Err(BridgeError::NotOwner { package }) => Err(DeviceAccessError::NotOwner(format!(
                "{package} is neither device owner nor profile owner, so it cannot block its own uninstall"
            ))),
            Err(e) => Err(DeviceAccessError::Failed(e.to_string())),
        }
    }
}

/// Keeps the application context and registers the phone with the typed API.
pub fn register(
    env: &mut Env<'_>,
    context: &JObject<'_>,
    admin_receiver: &str,
) -> Result<(), BridgeError> {
    let context = env.new_global_ref(context)?;
    register_device_access(Arc::new(JniDeviceAccess {
        context,
        admin_receiver: admin_receiver.to_string(),
    }));
    Ok(())
}
