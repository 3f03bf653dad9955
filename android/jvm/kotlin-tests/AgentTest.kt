// The typed API (UniFFI-generated Kotlin) on a desktop JVM, against the one native library and the
// framework doubles: the path the app takes (NativeBridge.init, then Agent), run under -Xcheck:jni
// at SDK 34 and at SDK 29. The fixture (signed policies published over HTTPS by nginx, a pinned root,
// the throwaway CA) is prepared by tests/kotlin.rs and named by -Dappwacht.fixture.

import android.os.Build
import appwacht.doubles.FakeContext
import appwacht.doubles.FakeDevice
import java.io.File
import java.nio.file.Files
import nl.appwacht.agent.NativeBridge
import nl.appwacht.core.Agent
import nl.appwacht.core.AgentConfig
import nl.appwacht.core.AgentException
import nl.appwacht.core.EmployeeNotifier
import nl.appwacht.core.FindingOutcome
import nl.appwacht.core.Notice
import nl.appwacht.core.ReportFormat
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Test

class AgentTest {
    private val fixture = File(System.getProperty("appwacht.fixture"))
    private fun read(name: String) = File(fixture, name).readText()

    private val notices = mutableListOf<Notice>()
    private val notifier = object : EmployeeNotifier {
        override fun notify(notice: Notice): Boolean {
            notices.add(notice)
            return true
        }
    }

    private fun config(urls: List<String>) = AgentConfig(
        organisation = "Gemeente Voorbeeld",
        policyUrls = urls,
        pinnedRoot = read("root.json"),
        deviceId = "VB-2026-0142",
        groups = listOf("inspection"),
        syncIntervalSeconds = 21600uL,
        emmPackage = "com.airwatch.androidagent",
        caCertificates = read("ca.pem"),
        requestTimeoutSeconds = 5uL,
        reportHistory = 10u,
    )

    private fun dataDir(): String = Files.createTempDirectory("agent").toString()

    /** An agent with the policy of one of the fixture's sites, synced. */
    private fun synced(site: String = "good"): Agent {
        val agent = Agent.open(dataDir(), config(listOf(read("$site.url"))), notifier)
        assertTrue(agent.sync().updated)
        return agent
    }

    private val uninstalls = mutableListOf<String>()

    @Before
    fun phone() {
        FakeDevice.reset()
        val tiktok = File(fixture, "com.zhiliaoapp.musically.der").readBytes()
        for (name in listOf("android", "com.android.systemui", "com.google.android.gms")) {
            val app = FakeDevice.add(name, "platform".toByteArray())
            app.system = true
            app.installer = null
        }
        for (i in 0 until 20) FakeDevice.add("com.example.app$i", "cert $i".toByteArray())
        FakeDevice.add("nl.appwacht.agent", "agent".toByteArray())
        FakeDevice.add("com.zhiliaoapp.musically", tiktok)
        FakeDevice.add("com.tencent.mm", File(fixture, "com.tencent.mm.der").readBytes())
        FakeDevice.add("com.videoedit.promax", tiktok).installer = "com.google.android.packageinstaller"
        uninstalls.clear()
        // The app's PackageInstaller hook, as the harness of a device would see it called.
        NativeBridge.setUninstaller { pkg ->
            uninstalls.add(pkg)
            val app = FakeDevice.apps[pkg]
            if (app == null) {
                "not installed"
            } else {
                app.installed = false
                null
            }
        }
        // Registers the phone with the typed API (and runs JNI_OnLoad through System.loadLibrary).
        NativeBridge.init(FakeContext())
    }

    @Test
    fun syncsScansTellsTheEmployeeAndReports() {
        val agent = Agent.open(dataDir(), config(listOf(read("good.url"))), notifier)
        val synced = agent.sync()
        assertTrue(synced.updated)
        assertEquals(1uL, synced.policyVersion)

        val scan = agent.fullScan()
        assertEquals(27u, scan.packages)
        assertEquals(2u, scan.violations)
        assertEquals(1u, scan.excepted)
        assertTrue(FakeDevice.apps["com.zhiliaoapp.musically"]!!.suspended)
        assertTrue(FakeDevice.apps["com.videoedit.promax"]!!.suspended)
        assertFalse(FakeDevice.apps["com.tencent.mm"]!!.suspended)
        assertEquals(setOf("com.zhiliaoapp.musically", "com.videoedit.promax"), notices.map { it.`package` }.toSet())
        assertTrue(notices.all { it.action == "suspend" && it.message.contains("AIVD") && it.link.startsWith("https://") })

        val status = agent.status()
        assertFalse(status.compliant)
        assertEquals(1uL, status.policyVersion)
        assertEquals("enforce", status.mode)
        assertTrue(status.lastSync != null && status.lastSyncError == null)
        val wechat = status.findings.single { it.`package` == "com.tencent.mm" }
        assertEquals(FindingOutcome.EXCEPTED, wechat.outcome)

        val text = agent.report(ReportFormat.TEXT)
        assertTrue(text.contains("Status: NOT COMPLIANT"))
        assertTrue(text, text.contains("Last sync: ok at"))
        assertTrue(agent.report(ReportFormat.HTML).startsWith("<!DOCTYPE html>"))
        assertTrue(agent.report(ReportFormat.JSON).contains("\"compliant\": false"))
        // The same jobs and texts as `appwacht status` and `appwacht explain` on the host.
        val statusText = agent.statusText()
        assertTrue(statusText, statusText.startsWith("Policy: "))
        assertTrue(statusText, statusText.contains("Root: version 1; policy-version floor"))
        val why = agent.explain("com.videoedit.promax")
        assertTrue(why, why.startsWith("com.videoedit.promax: VIOLATION"))
        assertTrue(why, why.contains("decided by: annex-a"))
        assertTrue(agent.explainJson("com.videoedit.promax").contains("\"policy_version\""))
        try {
            agent.explain("no.such.app")
            fail("an unknown package must be its own error")
        } catch (e: AgentException.UnknownPackage) {
            assertTrue(e.message ?: "", (e.message ?: "").contains("was not installed at the last scan"))
        }

        // Installed after the scan: the install path judges it alone, within the call.
        FakeDevice.add("com.einnovation.temu", "temu".toByteArray())
        val one = agent.packageChanged("com.einnovation.temu")
        assertEquals(1u, one.packages)
        assertTrue(FakeDevice.apps["com.einnovation.temu"]!!.suspended)

        // Nothing new on the server: one conditional request.
        val again = agent.sync()
        assertFalse(again.updated)
        assertEquals(1u, again.requests)
        agent.close()

        // The report setting: how many recent scans the helpdesk report shows (two were made).
        val dir = dataDir()
        val full = Agent.open(dir, config(listOf(read("good.url"))), notifier)
        full.sync()
        full.fullScan()
        full.fullScan()
        full.close()
        val brief = Agent.open(dir, config(listOf(read("good.url"))).copy(reportHistory = 1u), notifier)
        assertEquals(1, Regex("\"trigger\"").findAll(brief.report(ReportFormat.JSON)).count())
    }

    @Test
    fun aPolicyWithABadSignatureIsUntrusted() {
        val agent = Agent.open(dataDir(), config(listOf(read("tampered.url"))), notifier)
        try {
            agent.sync()
            fail("a tampered policy was accepted")
        } catch (e: AgentException.UntrustedPolicy) {
            assertTrue(e.reason, e.reason.contains("not enough valid signatures"))
        }
        assertEquals(null, agent.status().policyVersion)
    }

    @Test
    fun anUnreachableServerIsANetworkError() {
        val agent = Agent.open(dataDir(), config(listOf(read("dead.url"))), notifier)
        try {
            agent.sync()
            fail("an unreachable server did not fail")
        } catch (e: AgentException.Network) {
            // No policy has ever been accepted: nothing "stays in force" (issue 14.5).
            assertTrue(e.reason, e.reason.contains("and no policy is active yet"))
            assertFalse(e.reason, e.reason.contains("stays in force"))
        }
        assertTrue(agent.status().lastSyncError != null)
    }

    @Test
    fun anInvalidConfigurationIsRefusedAtOpen() {
        for (urls in listOf(emptyList(), listOf("http://policies.example.org"))) {
            try {
                Agent.open(dataDir(), config(urls), notifier)
                fail("opened with $urls")
            } catch (e: AgentException.InvalidConfiguration) {
                assertTrue(e.reason, e.reason.contains("policy_urls"))
            }
        }
    }

    @Test
    fun scanningBeforeAnyPolicyIsNoPolicyYet() {
        val agent = Agent.open(dataDir(), config(listOf(read("good.url"))), notifier)
        try {
            agent.fullScan()
            fail("scanned without a policy")
        } catch (e: AgentException.NoPolicyYet) {
            assertTrue(e.reason, e.reason.contains("sync"))
        }
    }

    @Test
    fun protectingTheAgentBlocksItsUninstallAndSetsTheSupportMessage() {
        val agent = Agent.open(dataDir(), config(listOf(read("good.url"))), notifier)
        agent.protect("Blocked by Gemeente Voorbeeld. Call 14 070.")
        assertTrue(FakeDevice.uninstallBlocked.contains("nl.appwacht.agent"))
        assertEquals("Blocked by Gemeente Voorbeeld. Call 14 070.", FakeDevice.supportMessage)
    }

    @Test
    fun protectingTheAgentWithoutBeingOwnerIsNotDeviceOwner() {
        FakeDevice.deviceOwner = false
        val agent = Agent.open(dataDir(), config(listOf(read("good.url"))), notifier)
        try {
            agent.protect("Call the service desk")
            fail("protected without being owner")
        } catch (e: AgentException.NotDeviceOwner) {
            assertTrue(e.reason, e.reason.contains("may not block its own uninstall here (neither owner nor delegate"))
        }
    }

    @Test
    fun theInstallPathReadsAndJudgesOnePackage() {
        val agent = synced()
        FakeDevice.calls.clear()
        val one = agent.packageChanged("com.videoedit.promax")
        assertEquals(1u, one.packages)
        assertTrue(FakeDevice.apps["com.videoedit.promax"]!!.suspended)
        // PackageInfoFlags from 33; the int flags before.
        val call = if (Build.VERSION.SDK_INT >= 33) "getPackageInfo(String, PackageInfoFlags)" else "getPackageInfo(String, int)"
        assertTrue(FakeDevice.calls.toString(), FakeDevice.calls.contains(call))
        assertFalse("no full read: ${FakeDevice.calls}", FakeDevice.calls.any { it.startsWith("getInstalledPackages") })
    }

    @Test
    fun aPackageThePlatformRefusesToSuspendIsRecordedAsFailedAndNotOwned() {
        FakeDevice.add("com.einnovation.temu", "temu".toByteArray())
        FakeDevice.unsuspendable.add("com.einnovation.temu")
        val agent = synced()
        val scan = agent.fullScan()
        val failed = scan.steps.filter { it.error != null }
        assertEquals(scan.steps.toString(), listOf("com.einnovation.temu"), failed.map { it.`package` })
        assertTrue(failed[0].error!!, failed[0].error!!.contains("DevicePolicyManager could not suspend com.einnovation.temu"))
        assertTrue(FakeDevice.apps["com.zhiliaoapp.musically"]!!.suspended)
        // The store: the refusal is in the enforcement log, and a refused block is not the agent's.
        val json = agent.explainJson("com.einnovation.temu")
        assertTrue(json, json.contains("\"blocks\": []"))
        assertTrue(json, json.contains("\"result\": \"failed\""))
        val owned = agent.explainJson("com.zhiliaoapp.musically")
        assertTrue(owned, owned.contains("\"block\": \"suspend\""))
    }

    /**
     * Neither owner nor delegate (issue 13): the agent monitors and reports, and never pretends to
     * enforce — no block is asked for that the platform would refuse, nobody is told of a block
     * that is not there, and every record says why.
     */
    @Test
    fun withoutBeingOwnerOrDelegateTheAgentMonitorsAndSaysSo() {
        val agent = synced()
        FakeDevice.deviceOwner = false
        FakeDevice.calls.clear()
        val scan = agent.fullScan()
        assertTrue(scan.steps.toString(), scan.steps.isEmpty())
        assertFalse(FakeDevice.apps.values.any { it.suspended })
        assertFalse(FakeDevice.calls.toString(), FakeDevice.calls.any { it.startsWith("setPackagesSuspended") })
        val status = agent.status()
        val management = status.management!!
        assertEquals("unmanaged", management.mode)
        assertTrue(management.monitorOnly)
        assertTrue(agent.statusText(), agent.statusText().contains("Management: neither owner nor delegate; monitoring only"))
        val tiktok = status.findings.single { it.`package` == "com.zhiliaoapp.musically" }
        assertTrue(tiktok.toString(), tiktok.heldBack!!.startsWith("monitoring only"))
        assertTrue(agent.report(ReportFormat.TEXT).contains("not taken: monitoring only"))
    }

    /**
     * Issue 13: a delegate of the EMM with package access (the EMM is device owner) suspends with
     * a null admin, as the platform requires of a delegate, and asks the EMM to remove what the
     * policy wants uninstalled: uninstalling other apps cannot be delegated.
     */
    @Test
    fun aDelegateWithPackageAccessSuspendsTikTokAndAsksTheEmmToRemoveIt() {
        FakeDevice.delegate(FakeDevice.PACKAGE_ACCESS_SCOPE, FakeDevice.BLOCK_UNINSTALL_SCOPE)
        val agent = synced("strict")
        val scan = agent.fullScan()
        assertTrue(FakeDevice.apps["com.zhiliaoapp.musically"]!!.suspended)
        assertTrue(FakeDevice.apps["com.zhiliaoapp.musically"]!!.installed)
        assertTrue(uninstalls.isEmpty())
        assertFalse(scan.steps.toString(), scan.steps.any { it.kind == "uninstall" })
        assertTrue(scan.steps.toString(), scan.steps.all { it.error == null })
        val status = agent.status()
        assertEquals("delegate", status.management!!.mode)
        assertTrue(status.management!!.cannot.toString(), status.management!!.cannot.contains("uninstall apps"))
        val tiktok = status.findings.single { it.`package` == "com.zhiliaoapp.musically" }
        assertTrue(tiktok.toString(), tiktok.emmRequest!!.startsWith("remove com.zhiliaoapp.musically"))
        assertTrue(tiktok.heldBack!!.startsWith("uninstall needs the EMM"))
        // The agent protects itself with the scope it holds; the support message is the EMM's.
        agent.protect("Call 14 070")
        assertTrue(FakeDevice.uninstallBlocked.contains("nl.appwacht.agent"))
        assertEquals(null, FakeDevice.supportMessage)
    }

    /** Issue 13: the EMM revokes package access; the next job monitors and says so. */
    @Test
    fun aDelegateWhoseScopeIsRevokedGoesToMonitoringAndReportsIt() {
        FakeDevice.delegate(FakeDevice.PACKAGE_ACCESS_SCOPE)
        val agent = synced()
        agent.fullScan()
        assertTrue(FakeDevice.apps["com.zhiliaoapp.musically"]!!.suspended)
        FakeDevice.delegate()
        FakeDevice.install("com.zhiliaoapp.musically.lite", File(fixture, "com.zhiliaoapp.musically.der").readBytes())
        val scan = agent.packageChanged("com.zhiliaoapp.musically.lite")
        assertTrue(scan.steps.toString(), scan.steps.isEmpty())
        assertFalse(FakeDevice.apps["com.zhiliaoapp.musically.lite"]!!.suspended)
        val status = agent.status()
        assertTrue(status.management!!.monitorOnly)
        assertTrue(status.management!!.summary, status.management!!.summary.startsWith("neither owner nor delegate; monitoring only"))
        // The block placed while it could stays (lifting it would be refused too).
        assertTrue(FakeDevice.apps["com.zhiliaoapp.musically"]!!.suspended)
    }

    /** Issue 13: without block-uninstall the agent says it can be removed, and does not pretend. */
    @Test
    fun aDelegateWithoutBlockUninstallReportsThatItCanBeRemoved() {
        FakeDevice.delegate(FakeDevice.PACKAGE_ACCESS_SCOPE)
        val agent = synced()
        agent.fullScan()
        try {
            agent.protect("Call 14 070")
            fail("protected without the block-uninstall scope")
        } catch (e: AgentException.NotDeviceOwner) {
            assertTrue(e.reason, e.reason.contains("may not block its own uninstall"))
        }
        assertFalse(FakeDevice.uninstallBlocked.contains("nl.appwacht.agent"))
        assertTrue(agent.status().management!!.cannot.contains("block its own uninstall"))
        assertTrue(agent.statusText(), agent.statusText().contains("cannot uninstall apps, block its own uninstall"))
    }

    /**
     * Issue 13: in a work profile (user 10) as a delegate of the EMM's profile owner, the agent
     * sees and acts on the profile's apps only, and says so; the employee's personal TikTok is
     * not its business.
     */
    @Test
    fun theWorkProfileAgentLeavesAPersonalAppAlone() {
        val personal = FakeDevice.apps["com.zhiliaoapp.musically"]!!
        FakeDevice.currentUser = 10
        FakeDevice.workProfile = true
        for (app in FakeDevice.apps.values) if (app !== personal) app.users.add(10)
        FakeDevice.delegate(FakeDevice.PACKAGE_ACCESS_SCOPE, FakeDevice.BLOCK_UNINSTALL_SCOPE)
        val agent = synced()
        agent.fullScan()
        assertFalse(personal.suspended)
        assertTrue(FakeDevice.apps["com.videoedit.promax"]!!.suspended)
        val status = agent.status()
        assertTrue(status.findings.none { it.`package` == "com.zhiliaoapp.musically" })
        if (Build.VERSION.SDK_INT >= 30) {
            assertTrue(status.management!!.workProfile)
            assertEquals(10u, status.management!!.user)
        }
        assertTrue(agent.report(ReportFormat.TEXT).contains("work profile of user 10; the personal side is not visible"))
    }

    @Test
    fun hideChecksTheStateFirstAndUninstallGoesThroughTheAppsHook() {
        FakeDevice.add("com.einnovation.temu", "temu".toByteArray())
        val agent = synced("strict")
        FakeDevice.calls.clear()
        val scan = agent.fullScan()
        val kinds = scan.steps.map { "${it.kind} ${it.`package`}" }
        assertTrue(kinds.toString(), kinds.contains("hide com.einnovation.temu"))
        assertTrue(kinds.toString(), kinds.contains("uninstall com.zhiliaoapp.musically"))
        assertTrue(FakeDevice.apps["com.einnovation.temu"]!!.hidden)
        assertEquals(listOf("com.zhiliaoapp.musically"), uninstalls)
        assertFalse(FakeDevice.apps["com.zhiliaoapp.musically"]!!.installed)
        assertTrue(
            "blocked before the uninstall: ${FakeDevice.calls}",
            FakeDevice.calls.contains("setPackagesSuspended(com.zhiliaoapp.musically, true)"),
        )
    }

    @Test
    fun theCatchUpJudgesWhatChangedSinceTheStoredSequenceNumber() {
        FakeDevice.add("com.example.sideloaded", "side".toByteArray()).installer = "org.fdroid.fdroid"
        val agent = synced()
        FakeDevice.changeSequence = 12
        FakeDevice.changed.addAll(listOf("com.zhiliaoapp.musically", "com.example.sideloaded", "com.example.gone"))
        assertEquals("two installed, one gone", 3u, agent.catchUp())
        assertEquals("nothing new since 12", 0u, agent.catchUp())
        assertEquals(
            "only what changed was judged",
            listOf("com.zhiliaoapp.musically"),
            FakeDevice.apps.values.filter { it.suspended }.map { it.name },
        )
        assertEquals(
            listOf("com.zhiliaoapp.musically suspend", "com.example.sideloaded warn"),
            notices.map { "${it.`package`} ${it.action}" },
        )
    }

    /**
     * Issue 12.9: whatever the policy says, the agent never suspends what this phone needs: here
     * a policy's publisher rule also matches the phone's pre-installed launcher and keyboard (an
     * OEM signing with a listed publisher's key), read from the platform (the HOME resolution, the
     * secure setting), and both stay usable. A user app that makes itself the keyboard is exactly
     * what spyware does: it gets no such shield.
     */
    @Test
    fun aPolicyNeverSuspendsWhatThisPhoneNeeds() {
        val tiktok = File(fixture, "com.zhiliaoapp.musically.der").readBytes()
        for (name in listOf("com.vendor.launcher", "com.vendor.keyboard")) {
            val app = FakeDevice.add(name, tiktok)
            app.system = true
            app.installer = null
        }
        FakeDevice.homePackage = "com.vendor.launcher"
        FakeDevice.keyboard = "com.vendor.keyboard/.Keyboard"
        val agent = synced()
        agent.fullScan()
        assertFalse(FakeDevice.apps["com.vendor.launcher"]!!.suspended)
        assertFalse(FakeDevice.apps["com.vendor.keyboard"]!!.suspended)
        assertTrue(FakeDevice.apps["com.zhiliaoapp.musically"]!!.suspended)
        val why = agent.explain("com.vendor.launcher")
        assertTrue(why, why.contains("this phone cannot work without it"))

        // A sideloaded app that made itself the keyboard is judged like any other.
        FakeDevice.keyboard = "com.videoedit.promax/.Keyboard"
        agent.fullScan()
        assertTrue(FakeDevice.apps["com.videoedit.promax"]!!.suspended)
    }

    /**
     * The platform refuses to suspend some packages whatever the agent asks (AOSP
     * SuspendPackageHelper: the default dialer, required installers, active admins): the refusal
     * is recorded for that package and the rest of the plan goes on.
     */
    @Test
    fun whatThePlatformRefusesToSuspendIsRecordedAndTheRestIsBlocked() {
        FakeDevice.add("com.einnovation.temu", "temu".toByteArray())
        FakeDevice.dialerPackage = "com.einnovation.temu"
        val agent = synced()
        val scan = agent.fullScan()
        val refused = scan.steps.single { it.error != null }
        assertEquals("com.einnovation.temu", refused.`package`)
        assertFalse(FakeDevice.apps["com.einnovation.temu"]!!.suspended)
        assertTrue(FakeDevice.apps["com.zhiliaoapp.musically"]!!.suspended)
    }

    /**
     * Issue 12.8: a policy that asks for automatic time, no unknown sources and no debugging gets
     * them, read back and shown in the status; when the next policy no longer asks, the agent lifts
     * what it set, and a restriction the EMM set stays.
     */
    @Test
    fun aPolicyThatAsksForAutomaticTimeGetsItAndStatusShowsIt() {
        FakeDevice.emmRestrictions.add("no_debugging_features") // the EMM's own
        val dir = dataDir()
        val agent = Agent.open(dir, config(listOf(read("hardened.url"))), notifier)
        assertTrue(agent.sync().updated)
        agent.fullScan()
        assertTrue(FakeDevice.autoTime)
        val expected = if (Build.VERSION.SDK_INT >= 29) {
            setOf("no_debugging_features", "no_install_unknown_sources", "no_install_unknown_sources_globally")
        } else {
            setOf("no_debugging_features", "no_install_unknown_sources")
        }
        assertEquals(expected, FakeDevice.agentRestrictions.toSet())
        val settings = agent.status().deviceSettings.associateBy { it.setting }
        assertEquals(setOf("automatic_time", "no_unknown_sources", "no_debugging"), settings.keys)
        assertTrue(settings.values.toString(), settings.values.all { it.wanted && it.on && it.error == null })
        assertTrue(agent.statusText().contains("Device: automatic_time on (the policy asks for it)"))
        // Someone turns automatic time off again (another admin, a settings exploit): the next full
        // scan puts it back, and the record says what the phone reads.
        FakeDevice.autoTime = false
        agent.fullScan()
        assertTrue(FakeDevice.autoTime)
        // No longer owner: the scan still stands, and each setting carries the phone's refusal.
        FakeDevice.deviceOwner = false
        agent.fullScan()
        val refused = agent.status().deviceSettings
        assertTrue(refused.toString(), refused.all { it.error?.contains("may not apply device settings here") == true })
        FakeDevice.deviceOwner = true
        agent.close()

        // The next policy asks for nothing: what the agent set is lifted, the EMM's stays.
        val relaxed = Agent.open(dir, config(listOf(read("relaxed.url"))), notifier)
        assertTrue(relaxed.sync().updated)
        relaxed.fullScan()
        assertFalse(FakeDevice.autoTime)
        assertTrue(FakeDevice.agentRestrictions.toString(), FakeDevice.agentRestrictions.isEmpty())
        assertTrue(FakeDevice.restricted("no_debugging_features"))
        assertTrue(relaxed.status().deviceSettings.none { it.wanted || it.on })
    }

    /**
     * Issue 15: the records reach a sink through the native library over real TLS with the pinned
     * CA. A collector answering 500 (nginx's /broken/) keeps them queued; the error names the sink.
     */
    @Test
    fun recordsWaitWhenTheCollectorFailsAndTheErrorNamesIt() {
        val sink = Regex("^https://[^/]+").find(read("good.url"))!!.value + "/broken/v1/logs"
        val agent = Agent.open(dataDir(), config(listOf(read("good.url"))).copy(otlpLogsUrl = sink, recordQueueLimit = 500uL), notifier)
        assertTrue(agent.sync().updated)
        agent.fullScan()
        val result = agent.deliverRecords()
        assertEquals(0uL, result.delivered)
        assertTrue(result.heartbeat)
        assertTrue(result.waiting > 3uL)
        assertEquals(1, result.errors.size)
        assertTrue(result.errors[0], result.errors[0].startsWith("$sink: HTTP 500"))
        assertTrue(agent.statusText(), agent.statusText().contains("failing (1 attempt(s))"))
    }
}
