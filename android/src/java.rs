//! Calling the members of [`crate::descriptors`]: every call goes through here, so every Java
//! exception is caught, cleared and turned into a [`BridgeError`] naming the member.

use jni::Env;
use jni::objects::{JByteArray, JObject, JObjectArray, JString, JValue, JValueOwned};
use jni::signature::JavaType;

use crate::cache::{self, Id};
use crate::descriptors::Member;
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

/// Turns a failed conversion (strings, arrays, bytes) into a [`BridgeError`], clearing whatever
/// exception it left pending: an `OutOfMemoryError` from `NewStringUTF`, an
/// `ArrayIndexOutOfBoundsException`. ART's CheckJNI aborts the process at the next JNI call made
/// with an exception pending, so no error path may leave one.
pub(crate) fn cleared(env: &mut Env<'_>, what: &str, e: jni::errors::Error) -> BridgeError {
    // jni-rs reports a failed conversion as a JNI error (a null result) while the JVM holds the
    // exception that explains it: catch that one, whatever the error says.
    let e = if env.exception_check() {
        match env.exception_catch() {
            Err(caught) => caught,
            Ok(()) => e,
        }
    } else {
        e
    };
    if env.exception_check() {
        env.exception_clear();
    }
    match e {
        jni::errors::Error::CaughtJavaException { name, msg, .. } => BridgeError::Thrown {
            during: what.to_string(),
            class: name,
            message: msg,
        },
        other => BridgeError::Jni(format!("{what}: {other}")),
    }
}

/// Checks the arguments against the member's descriptor: the unchecked JNI calls below rely on it.
fn check_args(m: &Member, expected: &[JavaType], args: &[JValue<'_>]) -> Result<(), BridgeError> {
    let fits = expected.len() == args.len()
        && expected.iter().zip(args).all(|(want, got)| match want {
            JavaType::Primitive(p) => got.primitive_type() == Some(*p),
            JavaType::Object | JavaType::Array => got.primitive_type().is_none(),
        });
    if fits {
        Ok(())
    } else {
        Err(BridgeError::Jni(format!(
            "{}: arguments do not match {}",
            label(m),
            m.descriptor
        )))
    }
}

fn jvalues(args: &[JValue<'_>]) -> Vec<jni::sys::jvalue> {
    args.iter().map(|a| a.as_jni()).collect()
}

fn wrong_kind(m: &Member) -> BridgeError {
    BridgeError::Jni(format!("{} is not a {:?}", label(m), m.kind))
}

/// Calls an instance method.
pub fn call<'local>(
    env: &mut Env<'local>,
    obj: &JObject<'_>,
    m: &Member,
    args: &[JValue<'_>],
) -> Result<JValueOwned<'local>, BridgeError> {
    let r = cache::get(env)?.member(m)?;
    let Id::Method(id) = r.id else {
        return Err(wrong_kind(m));
    };
    check_args(m, &r.args, args)?;
    if obj.is_null() {
        return Err(BridgeError::Jni(format!("{} called on null", label(m))));
    }
    // SAFETY: `id` was resolved from this member's class, name and descriptor; the arguments were
    // checked against the descriptor just above; `obj` is an instance of the class (the callers
    // pass what the matching getter returned, and -Xcheck:jni in the tests would object otherwise).
    let result = unsafe { env.call_method_unchecked(obj, id, r.ret, &jvalues(args)) };
    result.map_err(|e| caught(env, m, e))
}

/// Calls a static method.
pub fn call_static<'local>(
    env: &mut Env<'local>,
    m: &Member,
    args: &[JValue<'_>],
) -> Result<JValueOwned<'local>, BridgeError> {
    let r = cache::get(env)?.member(m)?;
    let Id::StaticMethod(id) = r.id else {
        return Err(wrong_kind(m));
    };
    check_args(m, &r.args, args)?;
    // SAFETY: as for `call`; the class is the one the id was resolved in.
    let result = unsafe { env.call_static_method_unchecked(&*r.class, id, r.ret, &jvalues(args)) };
    result.map_err(|e| caught(env, m, e))
}

/// Creates an object.
pub fn new_object<'local>(
    env: &mut Env<'local>,
    m: &Member,
    args: &[JValue<'_>],
) -> Result<JObject<'local>, BridgeError> {
    let r = cache::get(env)?.member(m)?;
    let Id::Constructor(id) = r.id else {
        return Err(wrong_kind(m));
    };
    check_args(m, &r.args, args)?;
    // SAFETY: the constructor id belongs to this class; the arguments match its descriptor.
    let result = unsafe { env.new_object_unchecked(&*r.class, id, &jvalues(args)) };
    result.map_err(|e| caught(env, m, e))
}

/// Reads an instance field.
pub fn field<'local>(
    env: &mut Env<'local>,
    obj: &JObject<'_>,
    m: &Member,
) -> Result<JValueOwned<'local>, BridgeError> {
    let r = cache::get(env)?.member(m)?;
    let Id::Field(id) = r.id else {
        return Err(wrong_kind(m));
    };
    if obj.is_null() {
        return Err(BridgeError::Jni(format!("{} read from null", label(m))));
    }
    // SAFETY: the field id was resolved with this type in this class; `obj` is an instance of it.
    let result = unsafe { env.get_field_unchecked(obj, id, r.ret) };
    result.map_err(|e| caught(env, m, e))
}

/// Reads a static field.
pub fn static_field<'local>(
    env: &mut Env<'local>,
    m: &Member,
) -> Result<JValueOwned<'local>, BridgeError> {
    let r = cache::get(env)?.member(m)?;
    let Id::StaticField(id) = r.id else {
        return Err(wrong_kind(m));
    };
    // SAFETY: the static field id was resolved with this type in this class.
    let result = unsafe { env.get_static_field_unchecked(&*r.class, id, r.ret) };
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
    let s = env.cast_local::<JString>(obj);
    let s: JString<'_> = s.map_err(|e| cleared(env, "String", e))?;
    let text = s.try_to_string(env);
    Ok(Some(text.map_err(|e| cleared(env, "String", e))?))
}

/// A Rust string as a Java string.
pub fn new_string<'local>(env: &mut Env<'local>, s: &str) -> Result<JString<'local>, BridgeError> {
    let js = JString::from_str(env, s);
    js.map_err(|e| cleared(env, "NewStringUTF", e))
}

/// The elements of a Java object array (empty for null).
pub fn array_elements<'local>(
    env: &mut Env<'local>,
    obj: JObject<'local>,
) -> Result<Vec<JObject<'local>>, BridgeError> {
    if obj.is_null() {
        return Ok(Vec::new());
    }
    let array = env.cast_local::<JObjectArray<JObject>>(obj);
    let array = array.map_err(|e| cleared(env, "Object[]", e))?;
    let len = array.len(env);
    let len = len.map_err(|e| cleared(env, "Object[].length", e))?;
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let element = array.get_element(env, i);
        out.push(element.map_err(|e| cleared(env, "Object[] element", e))?);
    }
    Ok(out)
}

/// The strings of a Java `String[]` (empty for null).
pub fn string_array(env: &mut Env<'_>, obj: JObject<'_>) -> Result<Vec<String>, BridgeError> {
    if obj.is_null() {
        return Ok(Vec::new());
    }
    let array = env.cast_local::<JObjectArray<JString>>(obj);
    let array = array.map_err(|e| cleared(env, "String[]", e))?;
    let len = array.len(env);
    let len = len.map_err(|e| cleared(env, "String[].length", e))?;
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let s = array.get_element(env, i);
        let s = s.map_err(|e| cleared(env, "String[] element", e))?;
        let text = s.try_to_string(env);
        out.push(text.map_err(|e| cleared(env, "String", e))?);
    }
    Ok(out)
}

/// A Java `String[]` holding one string.
pub fn single_string_array<'local>(
    env: &mut Env<'local>,
    s: &str,
) -> Result<JObjectArray<'local, JString<'local>>, BridgeError> {
    let js = new_string(env, s)?;
    let array = JObjectArray::<JString>::new(env, 1, &js);
    array.map_err(|e| cleared(env, "NewObjectArray", e))
}

/// A Java `byte[]` as bytes.
pub fn bytes(env: &mut Env<'_>, obj: JObject<'_>) -> Result<Vec<u8>, BridgeError> {
    let array = env.cast_local::<JByteArray>(obj);
    let array = array.map_err(|e| cleared(env, "byte[]", e))?;
    let out = env.convert_byte_array(&array);
    out.map_err(|e| cleared(env, "byte[]", e))
}
