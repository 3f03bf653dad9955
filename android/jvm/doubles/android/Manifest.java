package android;

/** Test double of android.Manifest: the permission names the app uses. */
public final class Manifest {
    private Manifest() {}

    /** Test double of android.Manifest.permission. */
    public static final class permission {
        private permission() {}

        public static final String POST_NOTIFICATIONS = "android.permission.POST_NOTIFICATIONS";
    }
}
