import org.gradle.api.tasks.Exec

plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

val workspace = rootDir.parentFile

android {
    namespace = "nl.appwacht.agent"
    compileSdk = 35

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
    kotlinOptions { jvmTarget = "17" }
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
    implementation("net.java.dev.jna:jna:5.14.0@aar")
    implementation("androidx.enterprise:enterprise-feedback:1.1.0")
    testImplementation("junit:junit:4.13.2")
}

// libappwacht.so for arm64-v8a and x86_64 (cargo-ndk), then the Kotlin bindings from the host build
// of the same library (uniffi-bindgen), so the bindings always match the Rust API.
val cargoNdk by tasks.registering(Exec::class) {
    workingDir = workspace
    commandLine("android/build-native.sh")
}
val uniffiBindings by tasks.registering(Exec::class) {
    workingDir = workspace
    val out = layout.buildDirectory.dir("generated/uniffi").get().asFile
    commandLine(
        "sh", "-c",
        "cargo build -p appwacht-android && cargo run -p uniffi-bindgen -- generate target/debug/libappwacht.so " +
            "--language kotlin --no-format --out-dir '${out.path}'",
    )
}
tasks.named("preBuild") { dependsOn(cargoNdk, uniffiBindings) }
