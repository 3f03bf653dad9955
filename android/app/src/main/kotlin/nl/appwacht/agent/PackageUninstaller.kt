package nl.appwacht.agent

import android.app.PendingIntent
import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.pm.PackageInstaller
import android.util.Log

/**
 * Silent uninstall through PackageInstaller (silent for the device owner). The result arrives later
 * as a broadcast; the app is then judged again, so the record shows it gone (its finding closes) or,
 * if it stayed, still blocked (it was suspended before the uninstall was asked for).
 *
 * The status PendingIntent is **mutable**: the platform fills EXTRA_STATUS into it, which it cannot
 * do to an immutable one (every result would then read as a failure). Mutable PendingIntents must
 * be explicit (Android 14): the intent names its receiver and this package.
 */
class PackageUninstaller(private val context: Context) : NativeBridge.Uninstaller {
    override fun uninstall(packageName: String): String? = try {
        val result = Intent(context, UninstallResultReceiver::class.java)
            .setPackage(context.getPackageName())
            .putExtra(UninstallResultReceiver.PACKAGE, packageName)
        val sender = PendingIntent.getBroadcast(
            context, packageName.hashCode(), result, PendingIntent.FLAG_MUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        ).getIntentSender()
        context.getPackageManager().getPackageInstaller().uninstall(packageName, sender)
        null
    } catch (e: RuntimeException) {
        e.message ?: e.toString()
    }
}

class UninstallResultReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        val name = intent.getStringExtra(PACKAGE) ?: return
        val status = intent.getIntExtra(PackageInstaller.EXTRA_STATUS, PackageInstaller.STATUS_FAILURE)
        val message = intent.getStringExtra(PackageInstaller.EXTRA_STATUS_MESSAGE)
        if (status == PackageInstaller.STATUS_SUCCESS) {
            Log.i(AgentRuntime.TAG, "uninstalled $name")
        } else {
            Log.w(AgentRuntime.TAG, "uninstalling $name failed ($status): $message")
        }
        val pending = goAsync()
        AgentRuntime.later("recording the uninstall of $name", { it.packageChanged(name) }, { pending.finish() })
    }

    companion object {
        const val PACKAGE = "nl.appwacht.agent.extra.PACKAGE"
    }
}
