package nl.appwacht.agent

import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import nl.appwacht.core.Notice

/** The employee's notifications: one channel, one notification per app, opening the compliance screen. */
object Notifications {
    const val CHANNEL = "appwacht.compliance"

    /** `android.R.drawable.ic_dialog_alert`: a public framework resource, whose id never changes. */
    private const val ICON = 0x01080027

    fun ensureChannel(context: Context) {
        val manager = context.getSystemService(Context.NOTIFICATION_SERVICE) as NotificationManager
        manager.createNotificationChannel(NotificationChannel(CHANNEL, "Work phone compliance", NotificationManager.IMPORTANCE_DEFAULT))
    }

    fun post(context: Context, notice: Notice): Boolean {
        val manager = context.getSystemService(Context.NOTIFICATION_SERVICE) as? NotificationManager ?: return false
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
