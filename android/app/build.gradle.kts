import org.gradle.api.tasks.Exec
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

val workspace = rootDir.parentFile

android {
    namespace = "nl.appwacht.agent"
    compileSdk = 35
    // The NDK cargo-ndk builds with (android/build-native.sh); r28 links for 16 KB pages by default.
    ndkVersion = "28.2.13676358"

    defaultConfig {
        applicationId = "nl.appwacht.agent"
        minSdk = 28
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        ndk { abiFilters += listOf("arm64-v8a", "x86_64") }
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }

    sourceSets["main"].kotlin.srcDirs("src/main/kotlin", "src/androidx/kotlin", layout.buildDirectory.dir("generated/uniffi"))
    sourceSets["main"].jniLibs.srcDirs("src/main/jniLibs")
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin {
    compilerOptions { jvmTarget.set(JvmTarget.JVM_17) }
}

// rustls-platform-verifier's Kotlin half must be the version its Rust half was built with: read it
// from the workspace's Cargo.lock (the crate rustls-platform-verifier-android carries that version),
// as the crate's README prescribes. The Maven group is `rustls` (the README's resolution snippet
// says `org.rustls`, which would never match the dependency it declares).
abstract class RustlsPlatformVerifierVersion : ValueSource<String, RustlsPlatformVerifierVersion.Params> {
    interface Params : ValueSourceParameters {
        val lockFile: RegularFileProperty
    }

    override fun obtain(): String {
        val lines = parameters.lockFile.get().asFile.readLines()
        val at = lines.indexOfFirst { it.trim() == "name = \"rustls-platform-verifier-android\"" }
        val version = if (at < 0) null else lines.drop(at + 1)
            .firstOrNull { it.trimStart().startsWith("version = ") }
            ?.substringAfter('"', "")?.substringBefore('"', "")?.takeIf { it.isNotEmpty() }
        return version ?: error("rustls-platform-verifier-android is not in Cargo.lock")
    }
}

val rustlsPlatformVerifierVersion = providers.of(RustlsPlatformVerifierVersion::class.java) {
    parameters.lockFile.set(layout.projectDirectory.file("../../Cargo.lock"))
}

configurations.configureEach {
    resolutionStrategy.eachDependency {
        if (requested.group == "rustls" && requested.name == "rustls-platform-verifier") {
            useVersion(rustlsPlatformVerifierVersion.get())
            because("the Kotlin half must match the Rust crate in Cargo.lock")
        }
    }
}

dependencies {
    implementation("rustls:rustls-platform-verifier")
    // 5.17.0 or later: earlier JNA crashes loading its dispatch library on devices with 16 KB pages
    // (java-native-access/jna#1618 and #1647; fixed in two parts, 5.16.0 and 5.17.0).
    implementation("net.java.dev.jna:jna:5.17.0@aar")
    implementation("androidx.enterprise:enterprise-feedback:1.1.0")
}
// The app's JVM tests run on the framework doubles (android/jvm/), which a Gradle unit-test build does
// not have; tests/kotlin.rs compiles and runs them against the doubles and the real library.

// libappwacht.so for arm64-v8a and x86_64 (cargo-ndk), then the Kotlin bindings from the host build
// of the same library (uniffi-bindgen), so the bindings always match the Rust API.
val cargoNdk by tasks.registering(Exec::class) {
    workingDir = workspace
    inputs.files(fileTree(workspace) { include("agent-core/src/**", "uniffi/src/**", "android/src/**", "**/Cargo.toml", "Cargo.lock", ".cargo/config.toml") })
    outputs.dir(layout.projectDirectory.dir("src/main/jniLibs"))
    commandLine("android/build-native.sh")
}
val uniffiBindings by tasks.registering(Exec::class) {
    workingDir = workspace
    // The bindings depend on the Rust API only: rerun when a crate's sources or the lock file change.
    inputs.files(fileTree(workspace) { include("agent-core/src/**", "uniffi/src/**", "android/src/**", "**/Cargo.toml", "Cargo.lock") })
    val out = layout.buildDirectory.dir("generated/uniffi")
    outputs.dir(out)
    // A host build in its own target directory: not the developer's target/debug, whose library may
    // be from another feature set or branch.
    val hostTarget = layout.buildDirectory.dir("cargo-host").get().asFile
    commandLine(
        "sh", "-c",
        "cargo build -q -p appwacht-android --target-dir '${hostTarget.path}' && " +
            "cargo run -q -p uniffi-bindgen -- generate '${hostTarget.path}/debug/libappwacht.so' " +
            "--language kotlin --no-format --out-dir '${out.get().asFile.path}'",
    )
}
tasks.named("preBuild") { dependsOn(cargoNdk, uniffiBindings) }
