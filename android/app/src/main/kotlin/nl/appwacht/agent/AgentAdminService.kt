package nl.appwacht.agent

import android.app.admin.DeviceAdminService
import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.IntentFilter
import java.io.FileDescriptor
import java.io.PrintWriter
import java.util.concurrent.TimeUnit

/**
 * The service the system keeps bound to the device (or profile) owner, so the agent's process stays
 * alive and hears installs within about a second (declared with action
 * `android.app.action.DEVICE_ADMIN_SERVICE`; see docs/DEPLOYMENT.md for the latencies). The package
 * receiver lives here, as in Google's TestDPC: registered when the system binds the service, gone
 * with the process if it is killed, registered again at the rebind, which catches up on what was
 * installed meanwhile (`getChangedPackages`). The screen turning on catches up too.
 *
 * The helpdesk's door is here as well, because dumpsys reaches only a running service:
 * `adb shell dumpsys activity service nl.appwacht.agent/.AgentAdminService [command]` prints the
 * full report, or runs `status`, `scan`, `sync`, `explain <package>` (see [DumpCommands]).
 */
class AgentAdminService : DeviceAdminService() {
    private val watch = InstallWatch()

    override fun onCreate() {
        super.onCreate()
        watch.register(this, "service bound")
    }

    override fun onDestroy() {
        watch.unregister(this)
        super.onDestroy()
    }

    override fun dump(fd: FileDescriptor, writer: PrintWriter, args: Array<String>?) {
        writer.println(answer(args ?: emptyArray()))
    }

    companion object {
        /** How long a dumpsys `scan` or `sync` waits for the worker before answering anyway. */
        const val LONG_COMMAND_SECONDS = 120L

        /**
         * Reads (report, status, explain) answer at once from the agent's reader; a scan or a sync
         * runs on the worker, after what is queued there, so it never overlaps a scheduled one.
         */
        fun answer(args: Array<String>): String {
            val helpdesk = AgentRuntime.helpdesk()
            return when (DumpCommands.parse(args)) {
                DumpCommands.Command.Scan, DumpCommands.Command.Sync -> try {
                    AgentRuntime.worker.submit<String> { DumpCommands.run(args, helpdesk) }
                        .get(LONG_COMMAND_SECONDS, TimeUnit.SECONDS)
                } catch (e: java.util.concurrent.TimeoutException) {
                    "still running after $LONG_COMMAND_SECONDS s; see `status` later"
                }
                else -> DumpCommands.run(args, helpdesk)
            }
        }
    }
}

/**
 * What a long-lived service of the agent listens with: the package receiver, the screen turning on,
 * and a catch-up when it starts. [AgentAdminService] holds one for an owner, [WatchService] for a
 * delegate.
 */
class InstallWatch {
    private val packages = PackageReceiver()
    private val screenOn = ScreenOnReceiver()

    fun register(context: Context, why: String) {
        AgentApplication.registerInternal(context, packages, PackageReceiver.filter())
        AgentApplication.registerInternal(context, screenOn, IntentFilter(Intent.ACTION_SCREEN_ON))
        AgentRuntime.later("catch-up ($why)", { it.catchUp() })
    }

    fun unregister(context: Context) {
        context.unregisterReceiver(packages)
        context.unregisterReceiver(screenOn)
    }
}

/** The screen turned on: catch up on installs the process may have missed while it was frozen. */
class ScreenOnReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        if (intent.getAction() != Intent.ACTION_SCREEN_ON) return
        AgentRuntime.later("catch-up (screen on)", { it.catchUp() })
    }
}
