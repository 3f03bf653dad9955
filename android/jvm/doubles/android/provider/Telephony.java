package android.provider;

/** Test double of android.provider.Telephony: the one member the adapter reads. */
public final class Telephony {
    private Telephony() {}

    /** Test double of android.provider.Telephony.Sms. */
    public static final class Sms {
        private Sms() {}

        /** The default SMS app (a role since Android 10: RoleManager's ROLE_SMS holder). */
        public static String getDefaultSmsPackage(android.content.Context context) {
            return appwacht.doubles.FakeDevice.smsPackage;
        }
    }
}
