//! Calling the members of [`crate::descriptors`]: every call goes through here, so every Java
//! exception is caught, cleared and turned into a [`BridgeError`] naming the member.

use jni::Env;
use jni::objects::{JByteArray, JObject, JObjectArray, JString, JValue, JValueOwned};
use jni::signature::{
    FieldSignature, MethodSignature, RuntimeFieldSignature, RuntimeMethodSignature,
};
use jni::strings::JNIString;

use crate::descriptors::{Kind, Member};
use crate::error::BridgeError;

fn label(m: &Member) -> String {
    format!(
        "{}.{}",
        m.class
            .rsplit('/')
            .next()
            .unwrap_or(m.class)
            .replace('$', "."),
        m.name
    )
}

/// Turns a failed JNI call into a [`BridgeError`], catching and clearing a pending exception.
fn caught(env: &mut Env<'_>, m: &Member, e: jni::errors::Error) -> BridgeError {
    let e = match e {
        jni::errors::Error::JavaException => match env.exception_catch() {
            Err(caught) => caught,
            Ok(()) => jni::errors::Error::JavaException,
        },
        other => other,
    };
    match e {
        jni::errors::Error::CaughtJavaException { name, msg, .. } => BridgeError::Thrown {
            during: label(m),
            class: name,
            message: msg,
        },
        other => {
            // Whatever happened, nothing may stay pending for the next call.
            if env.exception_check() {
                env.exception_clear();
            }
            BridgeError::Jni(format!("{}: {other}", label(m)))
        }
    }
}

fn method_sig(m: &Member) -> Result<RuntimeMethodSignature, BridgeError> {
    RuntimeMethodSignature::from_str(m.descriptor)
        .map_err(|e| BridgeError::Jni(format!("{}: {e}", label(m))))
}

/// Calls an instance method.
pub fn call<'local>(
    env: &mut Env<'local>,
    obj: &JObject<'_>,
    m: &Member,
    args: &[JValue<'_>],
) -> Result<JValueOwned<'local>, BridgeError> {
    debug_assert_eq!(m.kind, Kind::Method);
    let sig = method_sig(m)?;
    let result = env.call_method(
        obj,
        JNIString::new(m.name),
        MethodSignature::from(&sig),
        args,
    );
    result.map_err(|e| caught(env, m, e))
}

/// Calls a static method.
pub fn call_static<'local>(
    env: &mut Env<'local>,
    m: &Member,
    args: &[JValue<'_>],
) -> Result<JValueOwned<'local>, BridgeError> {
    debug_assert_eq!(m.kind, Kind::StaticMethod);
    let sig = method_sig(m)?;
    let result = env.call_static_method(
        JNIString::new(m.class),
        JNIString::new(m.name),
        MethodSignature::from(&sig),
        args,
    );
    result.map_err(|e| caught(env, m, e))
}

/// Creates an object.
pub fn new_object<'local>(
    env: &mut Env<'local>,
    m: &Member,
    args: &[JValue<'_>],
) -> Result<JObject<'local>, BridgeError> {
    debug_assert_eq!(m.kind, Kind::Constructor);
    let sig = method_sig(m)?;
    let result = env.new_object(JNIString::new(m.class), MethodSignature::from(&sig), args);
    result.map_err(|e| caught(env, m, e))
}

/// Reads an instance field.
pub fn field<'local>(
    env: &mut Env<'local>,
    obj: &JObject<'_>,
    m: &Member,
) -> Result<JValueOwned<'local>, BridgeError> {
    debug_assert_eq!(m.kind, Kind::Field);
    let sig = RuntimeFieldSignature::from_str(m.descriptor)
        .map_err(|e| BridgeError::Jni(format!("{}: {e}", label(m))))?;
    let result = env.get_field(obj, JNIString::new(m.name), FieldSignature::from(&sig));
    result.map_err(|e| caught(env, m, e))
}

/// Reads a static field.
pub fn static_field<'local>(
    env: &mut Env<'local>,
    m: &Member,
) -> Result<JValueOwned<'local>, BridgeError> {
    debug_assert_eq!(m.kind, Kind::StaticField);
    let sig = RuntimeFieldSignature::from_str(m.descriptor)
        .map_err(|e| BridgeError::Jni(format!("{}: {e}", label(m))))?;
    let result = env.get_static_field(
        JNIString::new(m.class),
        JNIString::new(m.name),
        FieldSignature::from(&sig),
    );
    result.map_err(|e| caught(env, m, e))
}

/// The object a call or field returned (possibly null).
pub fn object<'local>(v: JValueOwned<'local>) -> Result<JObject<'local>, BridgeError> {
    Ok(v.l()?)
}

/// A Java string as a Rust string; `None` for null.
pub fn string(env: &mut Env<'_>, obj: JObject<'_>) -> Result<Option<String>, BridgeError> {
    if obj.is_null() {
        return Ok(None);
    }
    let s: JString<'_> = env.cast_local::<JString>(obj)?;
    Ok(Some(s.try_to_string(env)?))
}

/// A Rust string as a Java string.
pub fn new_string<'local>(env: &mut Env<'local>, s: &str) -> Result<JString<'local>, BridgeError> {
    Ok(JString::from_str(env, s)?)
}

/// The elements of a Java object array (empty for null).
pub fn array_elements<'local>(
    env: &mut Env<'local>,
    obj: JObject<'local>,
) -> Result<Vec<JObject<'local>>, BridgeError> {
    if obj.is_null() {
        return Ok(Vec::new());
    }
    let array = env.cast_local::<JObjectArray<JObject>>(obj)?;
    let len = array.len(env)?;
    (0..len).map(|i| Ok(array.get_element(env, i)?)).collect()
}

/// The strings of a Java `String[]` (empty for null).
pub fn string_array(env: &mut Env<'_>, obj: JObject<'_>) -> Result<Vec<String>, BridgeError> {
    if obj.is_null() {
        return Ok(Vec::new());
    }
    let array = env.cast_local::<JObjectArray<JString>>(obj)?;
    let len = array.len(env)?;
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let s = array.get_element(env, i)?;
        out.push(s.try_to_string(env)?);
    }
    Ok(out)
}

/// A Java `String[]` holding one string.
pub fn single_string_array<'local>(
    env: &mut Env<'local>,
    s: &str,
) -> Result<JObjectArray<'local, JString<'local>>, BridgeError> {
    let js = new_string(env, s)?;
    Ok(JObjectArray::<JString>::new(env, 1, &js)?)
}

/// A Java `byte[]` as bytes.
pub fn bytes(env: &mut Env<'_>, obj: JObject<'_>) -> Result<Vec<u8>, BridgeError> {
    let array = env.cast_local::<JByteArray>(obj)?;
    Ok(env.convert_byte_array(&array)?)
}
