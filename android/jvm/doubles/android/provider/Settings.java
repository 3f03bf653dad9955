package android.provider;

/** Test double of android.provider.Settings: the secure setting the adapter reads. */
public final class Settings {
    private Settings() {}

    /** Test double of android.provider.Settings.Secure. */
    public static final class Secure {
        private Secure() {}

        public static final String DEFAULT_INPUT_METHOD = "default_input_method";

        /** The phone's secure settings; `default_input_method` is `package/.Service` of the keyboard. */
        public static String getString(android.content.ContentResolver resolver, String name) {
            return DEFAULT_INPUT_METHOD.equals(name) ? appwacht.doubles.FakeDevice.keyboard : null;
        }
    }
}
