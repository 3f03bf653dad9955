package android.app;

/** Test double of android.app.NotificationManager: records what was posted. */
public class NotificationManager {
    public static final int IMPORTANCE_DEFAULT = 3;

    protected NotificationManager() {}

    public void createNotificationChannel(NotificationChannel channel) {}

    public void notify(String tag, int id, Notification notification) {
        appwacht.doubles.FakeDevice.notifications.add(tag + ": " + notification.title + " | " + notification.text);
    }
}
