package nl.appwacht.agent;

/** Native entry points that exist only in the test build of the library (feature test-hooks). */
public final class NativeTestHooks {
    static {
        System.loadLibrary("appwacht");
    }

    private NativeTestHooks() {}

    public static native void panicForTest();

    /** Parses an inventory JSON in the core (the benchmark's baseline); answers the package count. */
    public static native int parseInventory(String json);
}
