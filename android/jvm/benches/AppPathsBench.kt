// Issue 12's figures: the install path end to end and a cold start, on the host JVM against the
// release library and the framework doubles. Driven by tests/benches/app_paths.rs (a bench, not a
// test: timings are never asserted). Prints one JSON line.
//
//   install   a warm JVM: the app bound as on a phone (AgentAdminService), an app installed, the
//             broadcast handled, one package read through JNI, decided, recorded, suspended;
//             median of 101 after 20 warm-up rounds, against the worker's own round trip
//   cold      from the first line of main: library load (JNI_OnLoad), agent open on a synced
//             store, the first decision (the install path for one package)
//   jvm       the same JVM with nothing loaded: the process-time baseline for `cold`

import appwacht.doubles.FakeContext
import appwacht.doubles.FakeDevice
import java.io.File
import nl.appwacht.agent.AgentAdminService
import nl.appwacht.agent.AgentApplication
import nl.appwacht.agent.AgentRuntime
import nl.appwacht.agent.NativeBridge
import nl.appwacht.agent.SettingKeys
import nl.appwacht.core.Agent
import nl.appwacht.core.AgentConfig

private val fixture = File(System.getProperty("appwacht.fixture"))
private fun read(name: String) = File(fixture, name).readText()
private val tiktok by lazy { File(fixture, "com.zhiliaoapp.musically.der").readBytes() }

private fun config() = AgentConfig(
    organisation = "Gemeente Voorbeeld",
    policyUrls = listOf(read("good.url")),
    pinnedRoot = read("root.json"),
    deviceId = "BENCH",
    groups = listOf("inspection"),
    syncIntervalSeconds = 21600uL,
    emmPackage = null,
    caCertificates = read("ca.pem"),
    requestTimeoutSeconds = 10uL,
    reportHistory = 10u,
)

private fun phone() {
    FakeDevice.reset()
    FakeDevice.add("nl.appwacht.agent", "agent".toByteArray())
    for (i in 0 until 40) FakeDevice.add("com.example.app$i", "cert $i".toByteArray())
    FakeDevice.add("com.zhiliaoapp.musically", tiktok)
}

private fun median(xs: DoubleArray): Double = xs.sorted()[xs.size / 2]

private fun drain() = AgentRuntime.worker.submit {}.get()

fun main(args: Array<String>) {
    val t0 = System.nanoTime()
    when (args[0]) {
        "setup" -> {
            phone()
            NativeBridge.init(FakeContext())
            val agent = Agent.open(args[1], config(), null)
            agent.sync()
            agent.fullScan()
            agent.close()
            println("{\"setup\": \"${args[1]}\"}")
        }
        "cold" -> {
            phone()
            NativeBridge.init(FakeContext()) // System.loadLibrary: JNI_OnLoad resolves every member
            val loaded = System.nanoTime()
            val agent = Agent.open(args[1], config(), null) // JNA and UniFFI start here
            val opened = System.nanoTime()
            val scan = agent.packageChanged("com.zhiliaoapp.musically")
            val decided = System.nanoTime()
            check(scan.packages == 1u)
            println(String.format(java.util.Locale.ROOT,
                "{\"cold_ms\": %.2f, \"load_ms\": %.2f, \"open_ms\": %.2f, \"decide_ms\": %.2f}",
                (decided - t0) / 1e6, (loaded - t0) / 1e6, (opened - loaded) / 1e6, (decided - opened) / 1e6))
        }
        "jvm" -> println("{\"jvm_ms\": ${(System.nanoTime() - t0) / 1e6}}")
        "install" -> {
            phone()
            val m = FakeDevice.restrictions
            m.putString(SettingKeys.ORGANISATION, "Gemeente Voorbeeld")
            m.putStringArray(SettingKeys.POLICY_URLS, arrayOf(read("good.url")))
            m.putString(SettingKeys.PINNED_ROOT, read("root.json"))
            m.putString(SettingKeys.CA_CERTIFICATES, read("ca.pem"))
            m.putString(SettingKeys.DEVICE_GROUPS, "inspection")
            val context = FakeContext()
            NativeBridge.init(context)
            FakeDevice.bindAdminService(context, { AgentApplication() }, { AgentAdminService() })
            drain()
            val agent = AgentRuntime.agent!!
            agent.sync()
            agent.fullScan()
            val rounds = 101
            val install = DoubleArray(rounds)
            val hop = DoubleArray(rounds)
            for (i in -20 until rounds) {
                val name = "com.example.bench${i + 20}"
                val a = System.nanoTime()
                FakeDevice.install(name, tiktok) // the broadcast reaches the service's receiver
                drain()
                val b = System.nanoTime()
                check(FakeDevice.apps[name]!!.suspended) { "$name was not suspended" }
                AgentRuntime.later("baseline", { })
                drain()
                val c = System.nanoTime()
                if (i >= 0) {
                    install[i] = (b - a) / 1e6
                    hop[i] = (c - b) / 1e6
                }
            }
            println(String.format(java.util.Locale.ROOT,
                "{\"install_median_ms\": %.3f, \"worker_hop_median_ms\": %.3f, \"rounds\": %d}",
                median(install), median(hop), rounds))
        }
        else -> error("unknown mode ${args[0]}")
    }
    System.exit(0)
}
