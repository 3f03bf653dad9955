//! Native entry points for the JVM tests only (feature `test-hooks`): the JSON path that reads
//! and acts on the framework doubles directly, a deliberate panic, and the benchmark's baseline.
//! `Request.policy` activates an *unsigned* policy, which is exactly why none of this may be in a
//! library that reaches a phone.

use agent_core::{Device, Enrolment, Scope, Store, Timestamp};
use jni::objects::{JClass, JObject, JString};
use jni::sys::jint;
use jni::{Env, EnvUnowned};
use serde::Deserialize;

use crate::device::AndroidDevice;
use crate::entry::{ThrowAgentException, default_admin, json_string};
use crate::error::BridgeError;
use crate::java::string;

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

/// `String readInventory(Context, String request)`: every installed package, as JSON.
#[unsafe(no_mangle)]
pub extern "system" fn Java_nl_appwacht_agent_NativeTestHooks_readInventory<'caller>(
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
pub extern "system" fn Java_nl_appwacht_agent_NativeTestHooks_changedPackages<'caller>(
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
pub extern "system" fn Java_nl_appwacht_agent_NativeTestHooks_scan<'caller>(
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
pub extern "system" fn Java_nl_appwacht_agent_NativeTestHooks_catchUp<'caller>(
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
pub extern "system" fn Java_nl_appwacht_agent_NativeTestHooks_protectAgent<'caller>(
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
