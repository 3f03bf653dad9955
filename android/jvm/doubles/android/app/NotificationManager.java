package android.app;

/**
 * Test double of android.app.NotificationManager. Models Android 13's runtime permission: without
 * POST_NOTIFICATIONS granted (new installs have it off) {@code areNotificationsEnabled} answers
 * false and {@code notify} posts nothing, silently (Android 13 behaviour changes, "Notification
 * runtime permission"; AOSP NotificationManagerService drops the post and logs "Suppressing
 * notification"). The employee can also turn the app's notifications off in Settings.
 */
public class NotificationManager {
    public static final int IMPORTANCE_DEFAULT = 3;
    public static final int IMPORTANCE_MIN = 1;

    protected NotificationManager() {}

    public void createNotificationChannel(NotificationChannel channel) {}

    public boolean areNotificationsEnabled() {
        return appwacht.doubles.FakeDevice.notificationsEnabled();
    }

    public void notify(String tag, int id, Notification notification) {
        if (!areNotificationsEnabled()) {
            appwacht.doubles.FakeDevice.suppressedNotifications.add(tag);
            return;
        }
        appwacht.doubles.FakeDevice.notifications.add(tag + ": " + notification.title + " | " + notification.text);
    }
}
