package android.app;

/**
 * Test double of android.app.PendingIntent. Models what the platform does with the flags: from
 * Android 12 one of FLAG_IMMUTABLE and FLAG_MUTABLE must be given (an IllegalArgumentException
 * otherwise, "Targeting S+ ... requires that one of FLAG_IMMUTABLE or FLAG_MUTABLE be specified"),
 * from Android 14 a mutable PendingIntent must be explicit, and an immutable one is sent as it was
 * made: AOSP PendingIntentRecord#sendInner fills in the sender's extras only when the record is
 * mutable, so a platform result (PackageInstaller's EXTRA_STATUS) never reaches an immutable one.
 */
public final class PendingIntent {
    public static final int FLAG_IMMUTABLE = 67108864;
    public static final int FLAG_MUTABLE = 33554432;
    public static final int FLAG_UPDATE_CURRENT = 134217728;

    private final android.content.Context context;
    private final android.content.Intent intent;
    private final int flags;

    private PendingIntent(android.content.Context context, android.content.Intent intent, int flags) {
        this.context = context;
        this.intent = new android.content.Intent(intent);
        this.flags = flags;
    }

    private static PendingIntent create(android.content.Context context, android.content.Intent intent, int flags) {
        boolean mutable = (flags & FLAG_MUTABLE) != 0;
        boolean immutable = (flags & FLAG_IMMUTABLE) != 0;
        if (android.os.Build.VERSION.SDK_INT >= 31 && mutable == immutable) {
            throw new IllegalArgumentException(
                    "Targeting S+ (version 31 and above) requires that one of FLAG_IMMUTABLE or FLAG_MUTABLE be specified when creating a PendingIntent.");
        }
        if (android.os.Build.VERSION.SDK_INT >= 34 && mutable && !appwacht.doubles.FakeDevice.isExplicit(intent)) {
            throw new IllegalArgumentException("Targeting U+ (version 34 and above) disallows creating or retrieving a PendingIntent with FLAG_MUTABLE, an implicit Intent within and without FLAG_NO_CREATE and FLAG_ALLOW_UNSAFE_IMPLICIT_INTENT for security reasons.");
        }
        return new PendingIntent(context, intent, flags);
    }

    public static PendingIntent getActivity(android.content.Context context, int requestCode, android.content.Intent intent, int flags) {
        return create(context, intent, flags);
    }

    public static PendingIntent getBroadcast(android.content.Context context, int requestCode, android.content.Intent intent, int flags) {
        return create(context, intent, flags);
    }

    public android.content.IntentSender getIntentSender() {
        return appwacht.doubles.FakeDevice.newIntentSender(context, intent, (flags & FLAG_IMMUTABLE) == 0);
    }
}
