//! The native methods of `nl.appwacht.agent.NativeBridge`, and `JNI_OnLoad`.
//!
//! Every entry point runs inside `EnvUnowned::with_env` (which catches panics) and resolves with
//! [`ThrowAgentException`]: an error or a panic reaches Java as an `AgentException` with a message
//! a person can act on, never as an abort. Requests and answers are JSON strings, so the Java
//! side stays small and the shapes are the core's own.

use std::ffi::c_void;

use agent_core::{Device, Enrolment, Scope, Store, Timestamp};
use jni::errors::ErrorPolicy;
use jni::objects::{JClass, JObject, JString};
use jni::strings::JNIString;
use jni::sys::{JNI_VERSION_1_6, jint};
use jni::{Env, EnvUnowned, JavaVM};
use serde::Deserialize;

use crate::descriptors::AGENT_EXCEPTION;
use crate::device::AndroidDevice;
use crate::error::BridgeError;
use crate::java::{new_string, string};
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

/// What the app asks for, as JSON.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Request {
    /// The `DeviceAdminReceiver` class (`.AdminReceiver` is relative to the app's package).
    #[serde(default = "default_admin")]
    admin_receiver: String,
    /// The device's id within the organisation.
    #[serde(default)]
    device_id: String,
    /// The device's groups.
    #[serde(default)]
    groups: Vec<String>,
    /// The EMM's package (never blocked).
    #[serde(default)]
    emm_package: Option<String>,
    /// The compliance store.
    #[serde(default)]
    db: Option<String>,
    /// A compiled policy to activate before scanning (otherwise the active one is used).
    #[serde(default)]
    policy: Option<serde_json::Value>,
    /// `full` or `install`.
    #[serde(default)]
    trigger: Option<String>,
    /// For the install path: the one package.
    #[serde(default)]
    package: Option<String>,
    /// The text of the system's "blocked by your organisation" dialog.
    #[serde(default)]
    support_message: Option<String>,
    /// The scan's "now" (tests); the clock otherwise.
    #[serde(default)]
    now: Option<String>,
}

fn default_admin() -> String {
    ".AdminReceiver".into()
}

fn request(env: &mut Env<'_>, json: JString<'_>) -> Result<Request, BridgeError> {
    let text = string(env, json.into())?.unwrap_or_else(|| "{}".into());
    serde_json::from_str(&text).map_err(|e| BridgeError::Request(format!("{e} in {text}")))
}

fn device_of(r: &Request) -> Device {
    Device {
        id: r.device_id.clone(),
        groups: r.groups.clone(),
        sdk: 0,
        essentials: Vec::new(),
    }
}

/// Opens the request's store, activating the policy it carries, at the request's "now".
fn open_store(r: &Request) -> Result<(Store, Timestamp), BridgeError> {
    let db = r.db.clone().ok_or_else(|| {
        BridgeError::Request("`db` (the compliance store's path) is missing".into())
    })?;
    let now = match &r.now {
        Some(t) => Timestamp::parse(t).map_err(BridgeError::Request)?,
        None => Timestamp::now(),
    };
    let mut store = Store::open(std::path::Path::new(&db))?;
    if let Some(policy) = &r.policy {
        let bytes = serde_json::to_vec(policy).map_err(|e| BridgeError::Request(e.to_string()))?;
        store.activate_policy(&bytes, "the app", now)?;
    }
    Ok((store, now))
}

fn enrolment_of(r: &Request, device: &AndroidDevice<'_, '_>) -> Enrolment {
    Enrolment {
        groups: r.groups.clone(),
        agent_package: device.own_package().to_string(),
        ..Enrolment::default()
    }
    .with_emm(r.emm_package.clone())
}

/// One job of the agent's that reads and acts on the phone: the request's store, the device it
/// describes and its enrolment, then the job's result as JSON (once the device's borrow of the
/// environment has ended).
fn on_device<'local, T: serde::Serialize>(
    env: &mut Env<'local>,
    context: &JObject<'_>,
    r: &Request,
    job: impl FnOnce(
        &mut Store,
        &mut AndroidDevice<'_, 'local>,
        &Enrolment,
        Timestamp,
    ) -> Result<T, agent_core::Error>,
) -> Result<JString<'local>, BridgeError> {
    let (mut store, now) = open_store(r)?;
    let result = {
        let mut device = AndroidDevice::new(env, context, &r.admin_receiver, device_of(r))?;
        let enrolment = enrolment_of(r, &device);
        job(&mut store, &mut device, &enrolment, now)?
    };
    json_string(env, &result)
}

fn json_string<'local>(
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
            let d = AndroidDevice::new(env, &context, &default_admin(), Device::default())?;
            let answer = serde_json::json!({"sdk": d.sdk(), "package": d.own_package(), "owner": d.is_owner()});
            drop(d);
            json_string(env, &answer)
        })
        .resolve::<ThrowAgentException>()
}

/// `String readInventory(Context, String request)`: every installed package, as JSON.
#[unsafe(no_mangle)]
pub extern "system" fn Java_nl_appwacht_agent_NativeBridge_readInventory<'caller>(
    mut unowned: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    context: JObject<'caller>,
    request_json: JString<'caller>,
) -> JString<'caller> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            use agent_core::PackageSource as _;
            let r = request(env, request_json)?;
            let inventory =
                AndroidDevice::new(env, &context, &r.admin_receiver, device_of(&r))?.inventory()?;
            json_string(env, &inventory)
        })
        .resolve::<ThrowAgentException>()
}

/// `String changedPackages(Context, int sequence)`: packages changed since `sequence`, or null.
#[unsafe(no_mangle)]
pub extern "system" fn Java_nl_appwacht_agent_NativeBridge_changedPackages<'caller>(
    mut unowned: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    context: JObject<'caller>,
    sequence: jint,
) -> JString<'caller> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            use agent_core::PackageSource as _;
            let changes = AndroidDevice::new(env, &context, &default_admin(), Device::default())?
                .changed_since(sequence.max(0) as u32)?;
            match changes {
                Some(c) => json_string(env, &c),
                None => Ok(JString::default()),
            }
        })
        .resolve::<ThrowAgentException>()
}

/// `String scan(Context, String request)`: a full scan (or the install path for `package`)
/// through the engine, acting on the device and recording in the store; answers the summary.
#[unsafe(no_mangle)]
pub extern "system" fn Java_nl_appwacht_agent_NativeBridge_scan<'caller>(
    mut unowned: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    context: JObject<'caller>,
    request_json: JString<'caller>,
) -> JString<'caller> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let r = request(env, request_json)?;
            let scope = match &r.package {
                Some(p) => Scope::Package(p),
                None => Scope::Full,
            };
            let trigger = r.trigger.clone().unwrap_or_else(|| {
                if r.package.is_some() {
                    "install".into()
                } else {
                    "full".into()
                }
            });
            on_device(env, &context, &r, |store, device, enrolment, now| {
                agent_core::scan(store, device, enrolment, scope, &trigger, now)
            })
        })
        .resolve::<ThrowAgentException>()
}

/// `String catchUp(Context, String request)`: scans the packages changed since the sequence number
/// stored in the store (`getChangedPackages`), stores the new one; answers what it did.
#[unsafe(no_mangle)]
pub extern "system" fn Java_nl_appwacht_agent_NativeBridge_catchUp<'caller>(
    mut unowned: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    context: JObject<'caller>,
    request_json: JString<'caller>,
) -> JString<'caller> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let r = request(env, request_json)?;
            on_device(env, &context, &r, |store, device, enrolment, now| {
                agent_core::catch_up(store, device, enrolment, now)
            })
        })
        .resolve::<ThrowAgentException>()
}

/// `void protectAgent(Context, String request)`: blocks uninstalling the agent and sets the support
/// message; throws when the app is not device or profile owner.
#[unsafe(no_mangle)]
pub extern "system" fn Java_nl_appwacht_agent_NativeBridge_protectAgent<'caller>(
    mut unowned: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    context: JObject<'caller>,
    request_json: JString<'caller>,
) {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let r = request(env, request_json)?;
            let message = r.support_message.clone().unwrap_or_else(|| {
                "This app is blocked by your organisation's policy for work phones. Contact the service desk.".into()
            });
            AndroidDevice::new(env, &context, &r.admin_receiver, device_of(&r))?.protect_agent(&message)
        })
        .resolve::<ThrowAgentException>()
}

/// `void panicForTest()`: panics, to show a panic reaches Java as an exception (test builds only).
#[cfg(feature = "test-hooks")]
#[unsafe(no_mangle)]
pub extern "system" fn Java_nl_appwacht_agent_NativeTestHooks_panicForTest<'caller>(
    mut unowned: EnvUnowned<'caller>,
    _class: JClass<'caller>,
) {
    unowned
        .with_env(|_env| -> Result<(), BridgeError> {
            let v: Vec<u8> = Vec::new();
            let index = v.len() + 3;
            // Indexing past the end: a genuine panic, not a constructed error.
            let _ = v[index];
            Ok(())
        })
        .resolve::<ThrowAgentException>()
}

/// `int parseInventory(String json)`: the core's JSON inventory parser, as the benchmark baseline
/// for reading the same packages through JNI (test builds only).
#[cfg(feature = "test-hooks")]
#[unsafe(no_mangle)]
pub extern "system" fn Java_nl_appwacht_agent_NativeTestHooks_parseInventory<'caller>(
    mut unowned: EnvUnowned<'caller>,
    _class: JClass<'caller>,
    json: JString<'caller>,
) -> jint {
    unowned
        .with_env(|env| -> Result<jint, BridgeError> {
            let text = string(env, json.into())?.unwrap_or_default();
            let inventory = agent_core::Inventory::from_json("benchmark", text.as_bytes())?;
            Ok(inventory.packages.len() as jint)
        })
        .resolve::<ThrowAgentException>()
}
