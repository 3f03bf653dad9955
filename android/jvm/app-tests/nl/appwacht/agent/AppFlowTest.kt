package nl.appwacht.agent

import android.content.Intent
import android.net.Uri
import appwacht.doubles.FakeContext
import appwacht.doubles.FakeDevice
import java.io.File
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test

/**
 * The app's own code end to end on the doubles and the real library: settings from the managed
 * configuration, the job scheduled, the package broadcast judged, the employee notified, the
 * helpdesk commands answered. The fixture (nginx, signed policy) comes from tests/kotlin.rs.
 */
class AppFlowTest {
    private val fixture = File(System.getProperty("appwacht.fixture"))
    private fun read(name: String) = File(fixture, name).readText()

    /** Waits for the worker thread to finish what was queued. */
    /** Waits for the worker, then for the sender the worker may have handed a delivery to. */
    private fun drain() {
        AgentRuntime.worker.submit {}.get()
        AgentRuntime.sender.submit {}.get()
    }

    @Test
    fun fromManagedConfigurationToABlockedAppAndTheHelpdeskReport() {
        FakeDevice.reset()
        FakeDevice.add("nl.appwacht.agent", "agent".toByteArray())
        for (i in 0 until 5) FakeDevice.add("com.example.app$i", "cert $i".toByteArray())
        managedConfiguration()
        val m = FakeDevice.restrictions
        m.putInt(SettingKeys.SYNC_INTERVAL_MINUTES, 60)
        val context = FakeContext()
        NativeBridge.init(context)
        val reported = mutableListOf<List<KeyedState>>()
        AgentRuntime.reporter = object : KeyedStatusReporter {
            override fun report(states: List<KeyedState>) {
                reported.add(states)
            }
        }

        AgentApplication.start(context)
        drain()
        val agent = AgentRuntime.agent!!
        assertEquals(1, FakeDevice.jobs.size)
        assertEquals(60L, AgentRuntime.intervalMinutes)

        val helpdesk = AgentRuntime.helpdesk()
        assertTrue(DumpCommands.run(arrayOf("sync"), helpdesk).contains("updated=true"))

        // TikTok arrives: the broadcast is judged within the call's queue, the employee is told,
        // by the name on the home screen (issue 12.10).
        FakeDevice.add("com.zhiliaoapp.musically", File(fixture, "com.zhiliaoapp.musically.der").readBytes()).label = "TikTok"
        PackageReceiver().onReceive(context, Intent(Intent.ACTION_PACKAGE_ADDED, Uri.parse("package:com.zhiliaoapp.musically")))
        drain()
        assertTrue(FakeDevice.apps["com.zhiliaoapp.musically"]!!.suspended)
        val posted = FakeDevice.notifications.single()
        assertTrue(posted, posted.startsWith("com.zhiliaoapp.musically: TikTok (com.zhiliaoapp.musically) is blocked on your work phone | "))
        assertTrue(posted, posted.contains("AIVD"))

        assertTrue(DumpCommands.run(arrayOf("scan"), helpdesk).contains("violations=1"))
        val report = DumpCommands.run(arrayOf(), helpdesk)
        assertTrue(report, report.contains("Status: NOT COMPLIANT"))
        val why = DumpCommands.run(arrayOf("explain", "com.zhiliaoapp.musically"), helpdesk)
        assertTrue(why, why.contains("annex-a") && why.contains("label: TikTok"))
        assertTrue(report, report.contains("com.zhiliaoapp.musically (TikTok)"))
        // dumpsys prints the same status text as `appwacht status` on the host.
        assertTrue(DumpCommands.run(arrayOf("status"), helpdesk).startsWith("Policy: "))
        val states = EmmStatus.statesFor(agent.status())
        assertEquals("com.zhiliaoapp.musically", states.first { it.key == "compliance" }.data)
        // After each piece of work the EMM gets the keyed states.
        assertTrue(reported.last().any { it.key == "app:com.zhiliaoapp.musically" && it.error })

        // Issue 12.2: the periodic job cold-starts the process (the normal case). The start must
        // not reschedule it: the platform would stop the running job and restart its period.
        FakeDevice.runningJob = SyncJobService.JOB_ID
        val schedulesBefore = FakeDevice.jobSchedules
        AgentApplication.start(context)
        drain()
        assertTrue(FakeDevice.stoppedJobs.toString(), FakeDevice.stoppedJobs.isEmpty())
        assertEquals(schedulesBefore, FakeDevice.jobSchedules)
        assertEquals(1, FakeDevice.jobs.size)
        // A changed interval is rescheduled, once.
        m.putInt(SettingKeys.SYNC_INTERVAL_MINUTES, 120)
        FakeDevice.runningJob = null
        AgentApplication.start(context)
        drain()
        assertEquals(schedulesBefore + 1, FakeDevice.jobSchedules)
        assertEquals(120L * 60_000L, FakeDevice.jobs.single().intervalMillis)
    }

    private fun managedConfiguration(site: String = "good") {
        val m = FakeDevice.restrictions
        m.putString(SettingKeys.ORGANISATION, "Gemeente Voorbeeld")
        m.putStringArray(SettingKeys.POLICY_URLS, arrayOf(read("$site.url")))
        m.putString(SettingKeys.PINNED_ROOT, read("root.json"))
        m.putString(SettingKeys.CA_CERTIFICATES, read("ca.pem"))
        m.putString(SettingKeys.DEVICE_GROUPS, "inspection")
    }

    /**
     * A phone with the agent configured from `site` and bound as device owner, as after enrolment;
     * `before` sets up what must hold before the process starts. Answers the application context.
     */
    private fun boundPhone(site: String = "good", before: () -> Unit = {}): FakeContext {
        FakeDevice.reset()
        FakeDevice.add("nl.appwacht.agent", "agent".toByteArray())
        managedConfiguration(site)
        before()
        val context = FakeContext()
        NativeBridge.init(context)
        bind(context)
        return context
    }

    /** The system binds the owner's DeviceAdminService, starting the process cold if it is dead. */
    private fun bind(context: FakeContext) {
        FakeDevice.bindAdminService(context, { AgentApplication() }, { AgentAdminService() })
        drain()
    }

    /** A phone whose EMM is owner and delegated package access to the agent; the process not started yet. */
    private fun delegatedPhone(before: () -> Unit = {}): FakeContext {
        FakeDevice.reset()
        FakeDevice.add("nl.appwacht.agent", "agent".toByteArray())
        FakeDevice.otherAdmins.add("com.airwatch.androidagent")
        FakeDevice.delegate(FakeDevice.PACKAGE_ACCESS_SCOPE, FakeDevice.BLOCK_UNINSTALL_SCOPE)
        managedConfiguration()
        before()
        val context = FakeContext()
        NativeBridge.init(context)
        return context
    }

    /**
     * Issue 13.3: a delegate has no DeviceAdminService, so nothing would keep its process alive.
     * It watches in a foreground service (type specialUse on 14+), which the platform lets it start
     * only where an exemption holds (12+): not from a job in the background, but when the employee
     * opens the app and after boot. Watching, an install is judged at once; killed, the boot starts
     * it again and the full scan judges what was missed.
     */
    @Test
    fun aDelegateWatchesInTheForegroundWhereThePlatformAllowsIt() {
        val context = delegatedPhone()
        val tiktok = File(fixture, "com.zhiliaoapp.musically.der").readBytes()
        FakeDevice.openApp(context) { AgentApplication() }
        drain()
        assertTrue(DumpCommands.run(arrayOf("sync"), AgentRuntime.helpdesk()).contains("updated=true"))
        assertTrue(FakeDevice.foregroundService is WatchService)
        if (android.os.Build.VERSION.SDK_INT >= 34) {
            assertEquals(android.content.pm.ServiceInfo.FOREGROUND_SERVICE_TYPE_SPECIAL_USE, FakeDevice.foregroundType)
        }
        assertTrue(FakeDevice.foregroundTimeouts.isEmpty())

        FakeDevice.install("com.zhiliaoapp.musically", tiktok)
        drain()
        assertTrue("a delegate suspends with a null admin", FakeDevice.apps["com.zhiliaoapp.musically"]!!.suspended)

        // Killed, and started again in the background by its job: the platform refuses the
        // foreground service there (logged, not thrown), and the job's catch-up still judges.
        FakeDevice.killProcess()
        FakeDevice.install("com.videoedit.promax", tiktok)
        FakeDevice.runJob(SyncJobService.JOB_ID, context, { AgentApplication() }, { SyncJobService() })
        drain()
        drain()
        assertEquals(null, FakeDevice.foregroundService)
        val log = synchronized(FakeDevice.log) { FakeDevice.log.toList() }
        assertTrue(log.toString(), log.any { it.contains("cannot start watching now") })
        assertTrue(FakeDevice.apps["com.videoedit.promax"]!!.suspended)

        // After boot it may start: watching again.
        FakeDevice.boot(context, { AgentApplication() }, BootReceiver())
        drain()
        drain()
        assertTrue(FakeDevice.foregroundService is WatchService)
        val status = AgentRuntime.agent!!.status()
        assertEquals("delegate", status.management!!.mode)
        val keyed = EmmStatus.statesFor(status)
        assertTrue(keyed.toString(), keyed.any { it.key == "management" && !it.error && it.message.startsWith("delegate of the EMM") })
    }

    /** Issue 13.3: the organisation turned watching off: no foreground service, the job's catch-up judges. */
    @Test
    fun withWatchingOffADelegateReliesOnTheJobAndTheCatchUp() {
        val context = delegatedPhone { FakeDevice.restrictions.putBoolean(SettingKeys.WATCH_IN_FOREGROUND, false) }
        FakeDevice.openApp(context) { AgentApplication() }
        drain()
        assertTrue(DumpCommands.run(arrayOf("sync"), AgentRuntime.helpdesk()).contains("updated=true"))
        assertEquals(null, FakeDevice.foregroundService)
        FakeDevice.install("com.zhiliaoapp.musically", File(fixture, "com.zhiliaoapp.musically.der").readBytes())
        drain()
        assertFalse("nothing hears an install without the watch", FakeDevice.apps["com.zhiliaoapp.musically"]!!.suspended)
        FakeDevice.killProcess()
        FakeDevice.runJob(SyncJobService.JOB_ID, context, { AgentApplication() }, { SyncJobService() })
        drain()
        drain()
        assertTrue(FakeDevice.apps["com.zhiliaoapp.musically"]!!.suspended)
    }

    /**
     * Issue 13.2: with the policy asking to uninstall, a delegate suspends and asks the EMM through
     * a keyed app state (severity error, the package and the reason), so its console shows what to
     * remove.
     */
    @Test
    fun aDelegateAsksTheEmmToRemoveWhatItMayNotUninstall() {
        val context = delegatedPhone { managedConfiguration("strict") }
        FakeDevice.openApp(context) { AgentApplication() }
        drain()
        val helpdesk = AgentRuntime.helpdesk()
        assertTrue(DumpCommands.run(arrayOf("sync"), helpdesk).contains("updated=true"))
        FakeDevice.install("com.zhiliaoapp.musically", File(fixture, "com.zhiliaoapp.musically.der").readBytes())
        drain()
        assertTrue(FakeDevice.apps["com.zhiliaoapp.musically"]!!.suspended)
        assertTrue(FakeDevice.apps["com.zhiliaoapp.musically"]!!.installed)
        val keyed = EmmStatus.statesFor(AgentRuntime.agent!!.status())
        val ask = keyed.single { it.key == "remove:com.zhiliaoapp.musically" }
        assertTrue(ask.toString(), ask.error && ask.message.startsWith("remove com.zhiliaoapp.musically") && ask.data == "com.zhiliaoapp.musically")
        val screen = ComplianceScreen.lines(AgentRuntime.agent!!.status(), emptyList()).map { it.text }
        assertTrue(screen.toString(), screen.contains("Your organisation's device management has been asked to remove it."))

        // The EMM revokes every scope: the platform tells the running process, which judges again
        // at once and says it can only watch.
        FakeDevice.delegate()
        drain()
        drain()
        val status = AgentRuntime.agent!!.status()
        assertTrue(status.management.toString(), status.management!!.monitorOnly)
        assertTrue(EmmStatus.statesFor(status).any { it.key == "management" && it.error })
    }

    /**
     * Issue 12.1: blocking within seconds does not depend on the process happening to live. The
     * package receiver lives in the service the system keeps bound; when the process is killed the
     * receiver goes with it and an install is not heard, and when the system binds the service
     * again the catch-up judges what was installed meanwhile.
     */
    @Test
    fun anAppInstalledWhileTheProcessWasDeadIsBlockedWhenTheServiceIsBoundAgain() {
        val context = boundPhone()
        assertEquals(1, FakeDevice.processStarts)
        assertTrue(DumpCommands.run(arrayOf("sync"), AgentRuntime.helpdesk()).contains("updated=true"))
        val tiktok = File(fixture, "com.zhiliaoapp.musically.der").readBytes()

        // Bound: the install is heard and judged at once.
        FakeDevice.install("com.zhiliaoapp.musically", tiktok)
        drain()
        assertTrue(FakeDevice.apps["com.zhiliaoapp.musically"]!!.suspended)

        // Killed: nothing hears the next install.
        FakeDevice.killProcess()
        FakeDevice.install("com.videoedit.promax", tiktok)
        drain()
        assertFalse(FakeDevice.apps["com.videoedit.promax"]!!.suspended)

        // The system binds again: the process starts cold, the service catches up.
        bind(context)
        assertEquals(2, FakeDevice.processStarts)
        assertEquals(2, FakeDevice.adminServiceBinds)
        assertTrue(FakeDevice.apps["com.videoedit.promax"]!!.suspended)
        // The receivers are the service's, registered once per binding, not exported (33+).
        val names = FakeDevice.receivers.map { it.receiver.javaClass.name }
        assertEquals(names.toString(), 1, names.count { it == PackageReceiver::class.java.name })
        assertEquals(names.toString(), 1, names.count { it == ScreenOnReceiver::class.java.name })

        // dumpsys reaches the bound service: the helpdesk's commands answer from there.
        val out = java.io.StringWriter()
        val service = FakeDevice.boundAdminService as AgentAdminService
        AgentAdminService.answer(arrayOf("status")).let { assertTrue(it, it.startsWith("Policy: ")) }
        serviceDump(service, arrayOf("explain", "com.videoedit.promax"), out)
        assertTrue(out.toString(), out.toString().contains("com.videoedit.promax: VIOLATION"))
    }

    private fun serviceDump(service: AgentAdminService, args: Array<String>, out: java.io.StringWriter) {
        val writer = java.io.PrintWriter(out)
        val dump = AgentAdminService::class.java.getDeclaredMethod(
            "dump", java.io.FileDescriptor::class.java, java.io.PrintWriter::class.java, Array<String>::class.java,
        )
        dump.isAccessible = true
        dump.invoke(service, java.io.FileDescriptor(), writer, args)
        writer.flush()
    }

    /**
     * Issue 12.7: the uninstall's result reaches the agent. The platform fills EXTRA_STATUS into
     * the status PendingIntent only when it is mutable; with the immutable one the app used, every
     * uninstall was logged as failed.
     */
    @Test
    fun theUninstallResultReachesTheAgent() {
        boundPhone("strict") {
            FakeDevice.add("com.zhiliaoapp.musically", File(fixture, "com.zhiliaoapp.musically.der").readBytes())
        }
        val helpdesk = AgentRuntime.helpdesk()
        assertTrue(DumpCommands.run(arrayOf("sync"), helpdesk).contains("updated=true"))
        assertTrue(DumpCommands.run(arrayOf("scan"), helpdesk).contains("uninstall"))
        FakeDevice.deliverInstallerResults()
        drain() // the result's broadcast queued a judgement of the package
        assertFalse(FakeDevice.apps["com.zhiliaoapp.musically"]!!.installed)
        val log = synchronized(FakeDevice.log) { FakeDevice.log.toList() }
        assertTrue(log.toString(), log.contains("I/appwacht: uninstalled com.zhiliaoapp.musically"))
        assertFalse(log.toString(), log.any { it.contains("uninstalling com.zhiliaoapp.musically failed") })
    }

    /**
     * The uninstall's result can arrive after the process died (the platform deletes on its own
     * thread and answers later): the broadcast starts the process cold, the Application opens the
     * agent first, and the receiver records the uninstall in the new process — not in the dead
     * one's memory, which a kill takes with it.
     */
    @Test
    fun anUninstallResultAfterTheProcessDiedStartsItAndIsRecorded() {
        boundPhone("strict") {
            FakeDevice.add("com.zhiliaoapp.musically", File(fixture, "com.zhiliaoapp.musically.der").readBytes())
        }
        // What the process holds in memory only: the open agent.
        FakeDevice.processMemory.add {
            AgentRuntime::class.java.getDeclaredField("agent").apply { isAccessible = true }.set(null, null)
        }
        val helpdesk = AgentRuntime.helpdesk()
        assertTrue(DumpCommands.run(arrayOf("sync"), helpdesk).contains("updated=true"))
        assertTrue(DumpCommands.run(arrayOf("scan"), helpdesk).contains("uninstall"))
        drain()
        FakeDevice.killProcess()
        assertEquals(null, AgentRuntime.agent)

        FakeDevice.deliverInstallerResults()
        drain()
        drain()
        assertEquals("the broadcast started the process", 2, FakeDevice.processStarts)
        val log = synchronized(FakeDevice.log) { FakeDevice.log.toList() }
        assertFalse(log.toString(), log.any { it.contains("recording the uninstall of com.zhiliaoapp.musically skipped") })
        val status = AgentRuntime.agent!!.status()
        assertTrue(status.findings.toString(), status.findings.none { it.`package` == "com.zhiliaoapp.musically" })
    }

    /**
     * Issue 12.4: on Android 13+ the agent may post only with POST_NOTIFICATIONS, which it grants
     * itself as owner; when the employee has notifications off, the record says "could not tell"
     * (screen, report), never "told", and the employee is told once notifications are on again.
     */
    @Test
    fun notificationsOffAreCouldNotTellAndTheEmployeeIsToldOnceTheyAreOn() {
        val context = boundPhone { FakeDevice.notificationsOffByUser = true }
        assertTrue(
            FakeDevice.calls.toString(),
            FakeDevice.calls.contains("setPermissionGrantState(nl.appwacht.agent, android.permission.POST_NOTIFICATIONS, 1)"),
        )
        val helpdesk = AgentRuntime.helpdesk()
        assertTrue(DumpCommands.run(arrayOf("sync"), helpdesk).contains("updated=true"))
        FakeDevice.install("com.zhiliaoapp.musically", File(fixture, "com.zhiliaoapp.musically.der").readBytes())
        drain()
        assertTrue(FakeDevice.apps["com.zhiliaoapp.musically"]!!.suspended)
        assertTrue(FakeDevice.notifications.isEmpty())
        val finding = AgentRuntime.agent!!.status().findings.single { it.`package` == "com.zhiliaoapp.musically" }
        assertTrue(finding.toString(), finding.notTold != null)
        val screen = ComplianceScreen.lines(AgentRuntime.agent!!.status(), emptyList()).map { it.text }
        assertTrue(screen.toString(), screen.any { it.startsWith("Appwacht could not notify you about this app") })
        assertTrue(DumpCommands.run(arrayOf(), helpdesk).contains("employee could NOT be told"))

        // Notifications on again: the next start tells the employee, and the record says so.
        FakeDevice.notificationsOffByUser = false
        AgentApplication.start(context)
        drain()
        drain()
        assertTrue(FakeDevice.notifications.toString(), FakeDevice.notifications.single().startsWith("com.zhiliaoapp.musically: "))
        val told = AgentRuntime.agent!!.status().findings.single { it.`package` == "com.zhiliaoapp.musically" }
        assertEquals(null, told.notTold)
    }

    /**
     * Issue 12.3: the agent protects itself as soon as it is configured, and keeps trying at every
     * start until that has succeeded: at `onEnabled` there are no settings yet, and an agent that is
     * not yet owner fails the first time.
     */
    @Test
    fun protectionIsRetriedAtEveryStartUntilItHasSucceeded() {
        FakeDevice.reset()
        FakeDevice.add("nl.appwacht.agent", "agent".toByteArray())
        val context = FakeContext()
        NativeBridge.init(context)
        AgentApplication.start(context) // no settings: not configured (as a fresh process is)
        assertEquals(null, AgentRuntime.agent)
        // Provisioning: the admin is enabled before any configuration exists.
        AdminReceiver().onEnabled(context, Intent("android.app.action.DEVICE_ADMIN_ENABLED"))
        drain()
        assertTrue(FakeDevice.uninstallBlocked.isEmpty())
        // Configured, but not owner yet: the attempt fails and is not recorded as done.
        managedConfiguration()
        FakeDevice.deviceOwner = false
        AgentApplication.start(context)
        drain()
        assertTrue(FakeDevice.uninstallBlocked.isEmpty())
        // Owner now: the next start protects it, and later starts do not repeat it.
        FakeDevice.deviceOwner = true
        AgentApplication.start(context)
        drain()
        assertEquals(setOf("nl.appwacht.agent"), FakeDevice.uninstallBlocked)
        assertEquals(Settings.DEFAULT_SUPPORT_MESSAGE, FakeDevice.supportMessage)
        val calls = FakeDevice.calls.count { it.startsWith("setUninstallBlocked") }
        AgentApplication.start(context)
        drain()
        assertEquals(calls, FakeDevice.calls.count { it.startsWith("setUninstallBlocked") })
    }

    /**
     * Issue 12.2 on the platform's terms: the periodic job is what starts a dead process (the
     * normal case). The start must not reschedule it (the platform would stop it before
     * onStartJob); the job runs to its end, judges what was installed meanwhile, and the next run
     * stays scheduled with the same period.
     */
    @Test
    fun theJobThatStartsTheProcessRunsToItsEndAndTheNextStaysScheduled() {
        val context = boundPhone()
        drain()
        assertEquals(1, FakeDevice.jobs.size)
        val schedules = FakeDevice.jobSchedules
        FakeDevice.killProcess()
        FakeDevice.install("com.zhiliaoapp.musically", File(fixture, "com.zhiliaoapp.musically.der").readBytes())

        FakeDevice.runJob(SyncJobService.JOB_ID, context, { AgentApplication() }, { SyncJobService() })
        drain()
        drain()
        assertTrue(FakeDevice.stoppedJobs.toString(), FakeDevice.stoppedJobs.isEmpty())
        assertEquals(listOf(SyncJobService.JOB_ID), FakeDevice.finishedJobs)
        assertEquals(schedules, FakeDevice.jobSchedules)
        assertEquals(1, FakeDevice.jobs.size)
        assertTrue(FakeDevice.apps["com.zhiliaoapp.musically"]!!.suspended)
    }
}
