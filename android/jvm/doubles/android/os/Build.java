package android.os;

/** Test double of android.os.Build: the SDK level comes from -Dappwacht.sdk (default 34). */
public class Build {
    private Build() {}

    public static class VERSION {
        public VERSION() {}

        public static final int SDK_INT = Integer.getInteger("appwacht.sdk", 34);
    }
}
