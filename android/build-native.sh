#!/usr/bin/env bash
# Builds libappwacht.so for the phone (arm64-v8a and x86_64) into app/src/main/jniLibs.
# Needs the Android NDK (ANDROID_NDK_HOME) and cargo-ndk; the project's CI machines have neither,
# so this runs only on a developer's or a release machine set up for Android.
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${ANDROID_NDK_HOME:-}" ] || [ ! -d "${ANDROID_NDK_HOME}" ]; then
  echo "ANDROID_NDK_HOME is not set to an installed Android NDK: the phone's native library cannot be built here." >&2
  echo "Install the NDK (r28 or newer; app/build.gradle.kts names the version) and run: cargo install cargo-ndk; rustup target add aarch64-linux-android x86_64-linux-android" >&2
  exit 2
fi
command -v cargo-ndk >/dev/null || { echo "cargo-ndk is missing: cargo install cargo-ndk" >&2; exit 2; }
cargo ndk --platform 28 -t arm64-v8a -t x86_64 -o app/src/main/jniLibs build --release -p appwacht-android
