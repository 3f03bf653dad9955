//! # appwacht-android: the JNI adapter
//!
//! What it is for: the bridge between the Android framework and `agent-core`. It reads the
//! installed packages through `PackageManager` (signers as SHA-256 of each certificate, signing
//! history, versions, installer, flags, times, suspended and hidden state) and carries out the
//! engine's steps through `DevicePolicyManager` (suspend, hide, and their undoing), with the
//! app's own Java code for the two things that need an Android component (telling the employee,
//! uninstalling). It is compiled into the one native library the app ships, `libappwacht.so`.
//!
//! What it must never do: let a panic or an error cross into the JVM other than as a Java
//! exception with a useful message; leave a Java exception pending; use `unwrap`; call a
//! framework member that is not in the platform's public API listing (every one it calls is in
//! [`descriptors`], checked against `current-subset.txt` by the tests); or call an API newer than
//! the app's minSdk (28) without checking `Build.VERSION.SDK_INT`. `unsafe` is confined to this
//! crate (the exported `JNI_OnLoad`, and the JNI calls through ids resolved once in `cache`).
//!
//! How to test it: `cargo test` at the workspace root builds this library for the host and loads
//! it into OpenJDK with `-Xcheck:jni`, against Java doubles of the framework classes
//! (`android/jvm/`). The Android build needs the NDK (see `android/README.md`).

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cache;
pub mod descriptors;
mod device;
mod entry;
mod error;
mod ffi_access;
mod java;
mod logging;
#[cfg(feature = "test-hooks")]
mod test_hooks;

pub use device::AndroidDevice;
// The typed API (UniFFI) lives in the same library: re-exported so its scaffolding is linked in.
pub use appwacht_ffi;
pub use error::BridgeError;
