package nl.appwacht.agent

import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.Service
import android.app.admin.DevicePolicyManager
import android.content.Context
import android.content.Intent
import android.content.pm.ServiceInfo
import android.os.Build
import android.os.IBinder
import android.util.Log

/**
 * How a delegate of the EMM hears installs within seconds. A delegate is not owner: the system
 * keeps no `DeviceAdminService` bound for it, and it has none of the owner's exemptions, so its
 * process is cached, frozen or killed like any app's. A foreground service keeps it running (with
 * a quiet, low-importance notification, which Android requires of one) and holds the package
 * receiver, as [AgentAdminService] does for an owner. The periodic job and the catch-up
 * (`getChangedPackages`) stay the safety net; an organisation that accepts their latency turns
 * this off with the managed configuration key `watch_in_foreground` = false.
 *
 * Its type is `specialUse` (Android 14+ requires one; `dataSync` is limited to 6 hours a day from
 * Android 15, and `systemExempted` is for owners only). From Android 12 an app in the background
 * may not start a foreground service: the start is tried at every process start and succeeds where
 * the platform allows it (after boot, after an update of the app, while the compliance screen is
 * open); see docs/DEPLOYMENT.md. `START_STICKY`: after a kill the system starts it again.
 */
class WatchService : Service() {
    private val watch = InstallWatch()

    override fun onCreate() {
        super.onCreate()
        watch.register(this, "watching")
    }

    override fun onStartCommand(intent: Intent?, flags: Int, startId: Int): Int {
        val notification = quietNotification(this)
        if (Build.VERSION.SDK_INT >= 34) {
            startForeground(NOTIFICATION_ID, notification, ServiceInfo.FOREGROUND_SERVICE_TYPE_SPECIAL_USE)
        } else {
            startForeground(NOTIFICATION_ID, notification)
        }
        return START_STICKY
    }

    override fun onBind(intent: Intent): IBinder? = null

    /** The helpdesk's door in a delegated setup, where this is the running service. */
    override fun dump(fd: java.io.FileDescriptor, writer: java.io.PrintWriter, args: Array<String>?) {
        writer.println(AgentAdminService.answer(args ?: emptyArray()))
    }

    override fun onDestroy() {
        watch.unregister(this)
        super.onDestroy()
    }

    companion object {
        const val NOTIFICATION_ID = 7
        const val CHANNEL = "appwacht.watching"

        /** Whether this app is device or profile owner (then the bound DeviceAdminService keeps it alive). */
        fun isOwner(context: Context): Boolean {
            val dpm = context.getSystemService(Context.DEVICE_POLICY_SERVICE) as? DevicePolicyManager ?: return false
            val pkg = context.getPackageName()
            return dpm.isDeviceOwnerApp(pkg) || dpm.isProfileOwnerApp(pkg)
        }

        /**
         * Starts watching when the agent is not owner and the organisation wants it; answers
         * whether it runs. A start the platform refuses (in the background, Android 12+) is logged
         * and tried again at the next start, boot or opening of the compliance screen.
         */
        fun startIfWanted(context: Context, wanted: Boolean): Boolean {
            if (!wanted || isOwner(context)) return false
            return try {
                context.startForegroundService(Intent(context, WatchService::class.java))
                true
            } catch (e: IllegalStateException) {
                // ForegroundServiceStartNotAllowedException (Android 12+) is an IllegalStateException.
                Log.w(AgentRuntime.TAG, "cannot start watching now (${e.message}); the job and the catch-up cover until the next start")
                false
            }
        }

        private fun quietNotification(context: Context): Notification {
            val manager = context.getSystemService(Context.NOTIFICATION_SERVICE) as NotificationManager
            manager.createNotificationChannel(NotificationChannel(CHANNEL, "Watching for new apps", NotificationManager.IMPORTANCE_MIN))
            return Notification.Builder(context, CHANNEL)
                .setSmallIcon(Notifications.ICON)
                .setContentTitle("Appwacht checks new apps against your organisation's policy")
                .setOngoing(true)
                .build()
        }
    }
}
