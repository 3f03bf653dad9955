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
    }
}
rootProject.name = "appwacht"
include(":app")
