package nl.appwacht.agent

import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.Manifest
import android.app.PendingIntent
import android.app.admin.DevicePolicyManager
import android.content.ComponentName
import android.content.Context
import android.content.Intent
import android.os.Build
import android.util.Log
import nl.appwacht.core.Notice

/** The employee's notifications: one channel, one notification per app, opening the compliance screen. */
object Notifications {
    const val CHANNEL = "appwacht.compliance"

    /** `android.R.drawable.ic_dialog_alert`: a public framework resource, whose id never changes. */
    const val ICON = 0x01080027

    fun ensureChannel(context: Context) {
        val manager = context.getSystemService(Context.NOTIFICATION_SERVICE) as NotificationManager
        manager.createNotificationChannel(NotificationChannel(CHANNEL, "Work phone compliance", NotificationManager.IMPORTANCE_DEFAULT))
    }

    /**
     * From Android 13 posting needs POST_NOTIFICATIONS, which a new install does not have; the
     * device (or profile) owner grants it to itself. Answers whether notifications can be shown.
     */
    fun grantToSelf(context: Context): Boolean {
        if (Build.VERSION.SDK_INT >= 33) {
            val dpm = context.getSystemService(Context.DEVICE_POLICY_SERVICE) as? DevicePolicyManager
            val pkg = context.getPackageName()
            // The owner names its admin; a delegate with the permission-grant scope passes null.
            val admin = when {
                dpm == null -> null
                dpm.isDeviceOwnerApp(pkg) || dpm.isProfileOwnerApp(pkg) -> ComponentName(context, AdminReceiver::class.java)
                dpm.getDelegatedScopes(null, pkg).contains(DevicePolicyManager.DELEGATION_PERMISSION_GRANT) -> null
                else -> return enabled(context)
            }
            try {
                dpm?.setPermissionGrantState(
                    admin, pkg, Manifest.permission.POST_NOTIFICATIONS, DevicePolicyManager.PERMISSION_GRANT_STATE_GRANTED,
                )
            } catch (e: SecurityException) {
                Log.w(AgentRuntime.TAG, "could not grant POST_NOTIFICATIONS to itself: ${e.message}")
            }
        }
        return enabled(context)
    }

    /** Whether a notice would be shown now (the permission, and the employee's setting). */
    fun enabled(context: Context): Boolean =
        (context.getSystemService(Context.NOTIFICATION_SERVICE) as? NotificationManager)?.areNotificationsEnabled() ?: false

    /** Posts the notice; answers false, so the agent records "could not tell", when it cannot be shown. */
    fun post(context: Context, notice: Notice): Boolean {
        val manager = context.getSystemService(Context.NOTIFICATION_SERVICE) as? NotificationManager ?: return false
        // A post without the permission is dropped silently by the platform: never count it as told.
        if (!manager.areNotificationsEnabled()) return false
        val open = PendingIntent.getActivity(
            context, 0, Intent(context, ComplianceActivity::class.java), PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        val notification: Notification = Notification.Builder(context, CHANNEL)
            .setSmallIcon(ICON)
            .setContentTitle(NoticeText.title(notice))
            .setContentText(NoticeText.body(notice))
            .setContentIntent(open)
            .setAutoCancel(true)
            .build()
        // Tagged by package: a later notice about the same app replaces the earlier one.
        manager.notify(notice.`package`, 1, notification)
        return true
    }
}
