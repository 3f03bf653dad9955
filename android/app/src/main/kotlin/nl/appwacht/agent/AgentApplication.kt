package nl.appwacht.agent

import android.app.Application
import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.IntentFilter
import android.content.RestrictionsManager
import android.app.admin.DevicePolicyManager
import android.os.Build

/**
 * The agent's process. At start: the native library, the agent, the catch-up for installs missed
 * while the process was dead, and the periodic job (sync and full scan) as the safety net. Package
 * broadcasts reach only receivers registered at run time (not manifest ones, since Android 8), and
 * only while the process lives: the package receiver is registered by [AgentAdminService], which the
 * system keeps bound and so keeps the process alive.
 */
class AgentApplication : Application() {
    private val restrictions = object : BroadcastReceiver() {
        override fun onReceive(context: Context, intent: Intent) {
            // The EMM changed the managed configuration: re-read it and reopen.
            start(context)
        }
    }

    private val scopes = object : BroadcastReceiver() {
        override fun onReceive(context: Context, intent: Intent) {
            // The EMM changed what the agent may do: judge every app again with the new powers.
            AgentRuntime.later("scopes changed", { it.fullScan() })
            WatchService.startIfWanted(context, AgentRuntime.watchInForeground)
        }
    }

    override fun onCreate() {
        super.onCreate()
        NativeBridge.init(this)
        NativeBridge.setUninstaller(PackageUninstaller(this))
        Notifications.ensureChannel(this)
        AgentRuntime.reporter = emmReporter()
        registerInternal(this, restrictions, IntentFilter(Intent.ACTION_APPLICATION_RESTRICTIONS_CHANGED))
        // Sent to run-time receivers only (FLAG_RECEIVER_REGISTERED_ONLY): a process that was dead
        // missed it, which is why every job reads the scopes afresh.
        registerInternal(this, scopes, IntentFilter(DevicePolicyManager.ACTION_APPLICATION_DELEGATION_SCOPES_CHANGED))
        start(this)
    }

    /** The androidx.enterprise adapter when the build has it (Gradle), by name so this compiles without it. */
    private fun emmReporter(): KeyedStatusReporter? = try {
        Class.forName("nl.appwacht.agent.AndroidxKeyedStatusReporter")
            .getConstructor(Context::class.java)
            .newInstance(this) as KeyedStatusReporter
    } catch (e: ReflectiveOperationException) {
        null
    }

    companion object {
        private const val PROTECTION = "protection"
        private const val PROTECTED_WITH = "protected_with"

        /**
         * Blocks the agent's own uninstall and sets the support message as soon as the agent is
         * configured, and again at every start until it has succeeded (or when the message
         * changed): at `onEnabled` during provisioning no settings exist yet, and a failure (not
         * owner yet) must not be final.
         */
        fun protectOnce(context: Context) {
            val prefs = context.getSharedPreferences(PROTECTION, Context.MODE_PRIVATE)
            val message = AgentRuntime.supportMessage
            if (prefs.getString(PROTECTED_WITH, null) == message) return
            AgentRuntime.later("protecting the agent", { agent ->
                agent.protect(message)
                prefs.edit().putString(PROTECTED_WITH, message).apply()
            })
        }

        /** A run-time receiver for system broadcasts, not exported to other apps (33+). */
        fun registerInternal(context: Context, receiver: BroadcastReceiver, filter: IntentFilter) {
            if (Build.VERSION.SDK_INT >= 33) {
                context.registerReceiver(receiver, filter, Context.RECEIVER_NOT_EXPORTED)
            } else {
                context.registerReceiver(receiver, filter)
            }
        }

        fun managed(context: Context): Map<String, Any?> {
            val rm = context.getSystemService(Context.RESTRICTIONS_SERVICE) as? RestrictionsManager
            return BundleValues.read(rm?.getApplicationRestrictions())
        }

        /** Opens the agent from the current settings, schedules the job and catches up. */
        fun start(context: Context) {
            val dataDir = context.getNoBackupFilesDir().path
            val canTell = Notifications.grantToSelf(context)
            AgentRuntime.open(context, managed(context), NotificationNotifier(context), dataDir) ?: return
            SyncJobService.schedule(context, AgentRuntime.agent != null)
            // Not owner: nothing keeps the process alive but a foreground service of its own.
            WatchService.startIfWanted(context, AgentRuntime.watchInForeground)
            protectOnce(context)
            AgentRuntime.later("catch-up", { it.catchUp() })
            // Warnings that could not be given are given now that they can be: the scan warns
            // again wherever the record says the employee was not told.
            if (canTell) {
                AgentRuntime.later("telling what could not be told", { agent ->
                    if (agent.status().findings.any { it.notTold != null }) agent.fullScan()
                })
            }
        }
    }
}
