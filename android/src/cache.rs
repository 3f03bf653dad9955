//! Class references and member ids for the whole of [`crate::descriptors`], resolved once per
//! process (in `JNI_OnLoad`, or on the first native call when JNA loaded the library) on a thread
//! that sees the app's class loader, then shared by every thread.
//!
//! Members newer than the device's SDK level are not resolved; calling one is an error that says so
//! (the code checks `Build.VERSION.SDK_INT` before it would).

use std::collections::HashMap;
use std::sync::OnceLock;

use jni::Env;
use jni::ids::{JFieldID, JMethodID, JStaticFieldID, JStaticMethodID};
use jni::objects::JClass;
use jni::refs::Global;
use jni::signature::{
    FieldSignature, JavaType, MethodSignature, RuntimeFieldSignature, RuntimeMethodSignature,
};
use jni::strings::JNIString;

use crate::descriptors::{ALL, BUILD_VERSION_SDK_INT, Kind, Member};
use crate::error::BridgeError;

/// A resolved member's id.
#[derive(Clone, Copy)]
pub(crate) enum Id {
    Method(JMethodID),
    StaticMethod(JStaticMethodID),
    Field(JFieldID),
    StaticField(JStaticFieldID),
    Constructor(JMethodID),
}

/// A resolved member: its class, its id, and its argument and result types.
pub(crate) struct Resolved {
    pub class: Global<JClass<'static>>,
    pub id: Id,
    pub args: Vec<JavaType>,
    pub ret: JavaType,
}

/// Everything resolved.
pub(crate) struct Cache {
    members: HashMap<(&'static str, &'static str, &'static str), Resolved>,
    sdk: i32,
}

static CACHE: OnceLock<Cache> = OnceLock::new();

impl Cache {
    /// The resolved member, or why it is not available.
    pub fn member(&self, m: &Member) -> Result<&Resolved, BridgeError> {
        self.members
            .get(&(m.class, m.name, m.descriptor))
            .ok_or_else(|| {
                BridgeError::Jni(format!(
                    "{}.{} needs SDK {} and this device runs {}",
                    m.class, m.name, m.since, self.sdk
                ))
            })
    }
}

/// The cache, resolving it on first use.
pub(crate) fn get(env: &mut Env<'_>) -> Result<&'static Cache, BridgeError> {
    if let Some(cache) = CACHE.get() {
        return Ok(cache);
    }
    let built = build(env)?;
    // Two threads may race to build it; either result is the same, and the loser's is dropped.
    Ok(CACHE.get_or_init(|| built))
}

fn clear(env: &mut Env<'_>, m: &Member, e: jni::errors::Error) -> BridgeError {
    if env.exception_check() {
        env.exception_clear();
    }
    BridgeError::Jni(format!(
        "cannot resolve {}.{} {}: {e}",
        m.class, m.name, m.descriptor
    ))
}

fn build(env: &mut Env<'_>) -> Result<Cache, BridgeError> {
    let sdk_member = &BUILD_VERSION_SDK_INT;
    let sdk_sig = RuntimeFieldSignature::from_str(sdk_member.descriptor)
        .map_err(|e| clear(env, sdk_member, e))?;
    let sdk = env
        .get_static_field(
            JNIString::new(sdk_member.class),
            JNIString::new(sdk_member.name),
            FieldSignature::from(&sdk_sig),
        )
        .and_then(|v| v.i())
        .map_err(|e| clear(env, sdk_member, e))?;
    let mut classes: HashMap<&'static str, Global<JClass<'static>>> = HashMap::new();
    let mut members = HashMap::new();
    for m in ALL.iter().filter(|m| i64::from(m.since) <= i64::from(sdk)) {
        if !classes.contains_key(m.class) {
            let local = env
                .find_class(JNIString::new(m.class))
                .map_err(|e| clear(env, m, e))?;
            let global = env.new_global_ref(&local).map_err(|e| clear(env, m, e))?;
            classes.insert(m.class, global);
        }
        let class = classes
            .get(m.class)
            .ok_or_else(|| BridgeError::Jni(format!("class {} vanished", m.class)))?;
        let name = JNIString::new(m.name);
        let (id, args, ret) = match m.kind {
            Kind::Method | Kind::StaticMethod | Kind::Constructor => {
                let sig =
                    RuntimeMethodSignature::from_str(m.descriptor).map_err(|e| clear(env, m, e))?;
                let msig = MethodSignature::from(&sig);
                let id = match m.kind {
                    Kind::StaticMethod => Id::StaticMethod(
                        env.get_static_method_id(class, &name, &msig)
                            .map_err(|e| clear(env, m, e))?,
                    ),
                    Kind::Constructor => Id::Constructor(
                        env.get_method_id(class, &name, &msig)
                            .map_err(|e| clear(env, m, e))?,
                    ),
                    _ => Id::Method(
                        env.get_method_id(class, &name, &msig)
                            .map_err(|e| clear(env, m, e))?,
                    ),
                };
                (id, msig.args().to_vec(), msig.ret())
            }
            Kind::Field | Kind::StaticField => {
                let sig =
                    RuntimeFieldSignature::from_str(m.descriptor).map_err(|e| clear(env, m, e))?;
                let fsig = FieldSignature::from(&sig);
                let id = if m.kind == Kind::StaticField {
                    Id::StaticField(
                        env.get_static_field_id(class, &name, &fsig)
                            .map_err(|e| clear(env, m, e))?,
                    )
                } else {
                    Id::Field(
                        env.get_field_id(class, &name, &fsig)
                            .map_err(|e| clear(env, m, e))?,
                    )
                };
                (id, Vec::new(), fsig.ty())
            }
        };
        let class = env.new_global_ref(&**class).map_err(|e| clear(env, m, e))?;
        members.insert(
            (m.class, m.name, m.descriptor),
            Resolved {
                class,
                id,
                args,
                ret,
            },
        );
    }
    Ok(Cache { members, sdk })
}
