//! The native methods of `nl.appwacht.agent.NativeBridge`, and `JNI_OnLoad`.
//!
//! The shipped library has one API: `NativeBridge.init`, which registers the phone for the typed
//! API (UniFFI's `Agent`), and that typed API. The JSON entry points the JVM harness drives live in
//! `test_hooks`, compiled only with the `test-hooks` feature, which no release or phone build
//! enables (a test checks the release library exports none of them).
//!
//! Every entry point runs inside `EnvUnowned::with_env` (which catches panics) and resolves with
//! [`ThrowAgentException`]: an error or a panic reaches Java as an `AgentException` with a message
//! a person can act on, never as an abort.

use std::ffi::c_void;

use agent_core::Device;
use jni::errors::ErrorPolicy;
use jni::objects::{JClass, JObject, JString};
use jni::strings::JNIString;
use jni::sys::{JNI_VERSION_1_6, jint};
use jni::{Env, EnvUnowned, JavaVM};

use crate::descriptors::AGENT_EXCEPTION;
use crate::device::AndroidDevice;
use crate::error::BridgeError;
use crate::java::new_string;
use crate::logging;

/// Throws `nl.appwacht.agent.AgentException` (or, if the app lacks it, `RuntimeException`) with
/// the error's message, and returns the default value to the JVM.
pub struct ThrowAgentException;

fn throw(env: &mut Env<'_>, message: &str) {
    if env.exception_check() {
        return; // already thrown by the JVM
    }
    let msg = JNIString::new(message);
    if env
        .throw_new(JNIString::new(AGENT_EXCEPTION), &msg)
        .is_err()
        && !env.exception_check()
    {
        let _ = env.throw_new(JNIString::new("java/lang/RuntimeException"), &msg);
    }
}

impl<T: Default> ErrorPolicy<T, BridgeError> for ThrowAgentException {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut Self::Captures<'unowned_env_local, 'native_method>,
        err: BridgeError,
    ) -> jni::errors::Result<T> {
        log::warn!("{err}");
        throw(env, &err.to_string());
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut Self::Captures<'unowned_env_local, 'native_method>,
        payload: Box<dyn std::any::Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        log::error!("panic in native code: {what}");
        throw(
            env,
            &format!(
                "internal error in the Appwacht native library (a bug; the agent keeps running): {what}"
            ),
        );
        Ok(T::default())
    }
}

/// Runs on `System.loadLibrary`. (JNA, which UniFFI uses, does not call it: the app calls
/// `NativeBridge.init` as well.)
#[unsafe(no_mangle)]
pub extern "system" fn JNI_OnLoad(vm: *mut jni::sys::JavaVM, _reserved: *mut c_void) -> jint {
    logging::init();
    // SAFETY: the JVM passes a valid JavaVM pointer to JNI_OnLoad; this records it as the
    // process's one VM for jni-rs.
    let vm = unsafe { JavaVM::from_raw(vm) };
    // Resolve classes and member ids now, on the thread that loads the library and so sees the
    // app's class loader. If that fails it is retried (and reported) on the first native call.
    let resolved = vm.attach_current_thread(|env| -> Result<(), BridgeError> {
        crate::cache::get(env).map(|_| ())
    });
    if let Err(e) = resolved {
        log::warn!("JNI_OnLoad could not resolve the framework members yet: {e}");
    }
    JNI_VERSION_1_6
}

pub(crate) fn default_admin() -> String {
    ".AdminReceiver".into()
}

pub(crate) fn json_string<'local>(
    env: &mut Env<'local>,
    value: &impl serde::Serialize,
) -> Result<JString<'local>, BridgeError> {
    let text = serde_json::to_string(value).map_err(|e| BridgeError::Request(e.to_string()))?;
    new_string(env, &text)
}

/// `String init(Context)`: checks the framework is reachable; answers SDK level, package and
/// whether the app may act.
#[unsafe(no_mangle)]
pub extern "system" fn Java_nl_appwacht_agent_NativeBridge_init<'caller>(
    mut unowned: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    context: JObject<'caller>,
) -> JString<'caller> {
    logging::init();
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            crate::ffi_access::register(env, &context, &default_admin())?;
            // The policy server's certificate is checked by the platform's trust manager (the
            // system store, with an EMM's CAs) unless the organisation pinned a CA. Only in the
            // phone build; this cannot run on the host, which has no Android trust manager.
            #[cfg(target_os = "android")]
            {
                let context = env.new_local_ref(&context)?;
                rustls_platform_verifier::android::init_with_env(env, context)?;
            }
            let d = AndroidDevice::new(env, &context, &default_admin(), Device::default())?;
            let answer = serde_json::json!({"sdk": d.sdk(), "package": d.own_package(), "owner": d.is_owner()});
            drop(d);
            json_string(env, &answer)
        })
        .resolve::<ThrowAgentException>()
}
