//! Native entry points for the JVM tests only (feature `test-hooks`): the adapter's reading of the
//! framework doubles as JSON (every field of every package, for the reading tests and the JNI
//! benchmark), a deliberate panic, and the benchmark's baseline. They only read: everything that
//! judges or acts goes through the typed API (`Agent`), as in the app, and is tested that way
//! (`android/jvm/kotlin-tests/AgentTest.kt`). None of this is in a library that reaches a phone.

use agent_core::Device;
use jni::objects::{JClass, JObject, JString};
use jni::sys::jint;
use jni::{Env, EnvUnowned};
use serde::Deserialize;

use crate::device::AndroidDevice;
use crate::entry::{ThrowAgentException, default_admin, json_string};
use crate::error::BridgeError;
use crate::java::string;

/// What the harness asks the reader for, as JSON.
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
        powers: None,
    }
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

/// `String errorPaths()`: drives the conversion helpers into a genuine Java exception (a string
/// the heap cannot hold: run with a small `-Xmx`) and answers what each returned, and whether an
/// exception was left pending — under CheckJNI the JVM would abort at the next call if one were.
#[unsafe(no_mangle)]
pub extern "system" fn Java_nl_appwacht_agent_NativeTestHooks_errorPaths<'caller>(
    mut unowned: EnvUnowned<'caller>,
    _class: JClass<'caller>,
) -> JString<'caller> {
    unowned
        .with_env(|env| -> Result<_, BridgeError> {
            let huge = "x".repeat(256 << 20);
            let mut out = Vec::new();
            match crate::java::new_string(env, &huge) {
                Ok(_) => out.push("NewStringUTF: no error".to_string()),
                Err(e) => out.push(format!("NewStringUTF: {e}")),
            }
            out.push(format!("pending: {}", env.exception_check()));
            match crate::java::single_string_array(env, &huge) {
                Ok(_) => out.push("String[]: no error".to_string()),
                Err(e) => out.push(format!("String[]: {e}")),
            }
            out.push(format!("pending: {}", env.exception_check()));
            crate::java::new_string(env, &out.join("\n"))
        })
        .resolve::<ThrowAgentException>()
}
