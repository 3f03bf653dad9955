// The Android app. Builds only where ANDROID_HOME (SDK) and ANDROID_NDK_HOME (for cargo-ndk) exist;
// the project's CI machines have neither (see android/README.md).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
        // The Kotlin half of rustls-platform-verifier (the policy server's certificate is checked
        // by Android's trust manager); its version is taken from Cargo.lock in app/build.gradle.kts.
        maven {
            url = uri("https://github.com/rustls/rustls-platform-verifier/raw/maven-archive/android-release-support/maven/")
        }
    }
}
rootProject.name = "appwacht"
include(":app")
