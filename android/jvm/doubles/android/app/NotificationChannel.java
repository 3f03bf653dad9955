package android.app;

/** Test double of android.app.NotificationChannel. */
public final class NotificationChannel {
    public NotificationChannel(String id, CharSequence name, int importance) {}
}
