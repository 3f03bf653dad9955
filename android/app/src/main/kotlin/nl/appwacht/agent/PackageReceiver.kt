package nl.appwacht.agent

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.IntentFilter

/** Judges an app seconds after it is installed or updated; forgets it when removed. */
class PackageReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        val name = packageOf(intent.getDataString()) ?: return
        val pending = goAsync()
        AgentRuntime.later("judging $name", { it.packageChanged(name) }, { pending.finish() })
    }

    companion object {
        fun filter(): IntentFilter {
            val filter = IntentFilter(Intent.ACTION_PACKAGE_ADDED)
            filter.addAction(Intent.ACTION_PACKAGE_REPLACED)
            filter.addAction(Intent.ACTION_PACKAGE_FULLY_REMOVED)
            filter.addDataScheme("package")
            return filter
        }

        /** `package:com.example.app` to `com.example.app`. */
        fun packageOf(data: String?): String? = data?.removePrefix("package:")?.trim()?.ifEmpty { null }?.takeIf { data.startsWith("package:") }
    }
}

/** After a reboot: the platform's change sequence restarted; schedule the job, scan everything. */
class BootReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        if (intent.getAction() != Intent.ACTION_BOOT_COMPLETED) return
        val pending = goAsync()
        AgentRuntime.later("boot", { agent ->
            agent.bootCompleted()
            agent.fullScan()
        }, { pending.finish() })
    }
}
