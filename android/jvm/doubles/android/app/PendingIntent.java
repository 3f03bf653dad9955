package android.app;

/** Test double of android.app.PendingIntent. */
public final class PendingIntent {
    public static final int FLAG_IMMUTABLE = 67108864;
    public static final int FLAG_UPDATE_CURRENT = 134217728;

    private PendingIntent() {}

    public static PendingIntent getActivity(android.content.Context context, int requestCode, android.content.Intent intent, int flags) {
        return new PendingIntent();
    }

    public static PendingIntent getBroadcast(android.content.Context context, int requestCode, android.content.Intent intent, int flags) {
        return new PendingIntent();
    }

    public android.content.IntentSender getIntentSender() {
        return appwacht.doubles.FakeDevice.newIntentSender();
    }
}
