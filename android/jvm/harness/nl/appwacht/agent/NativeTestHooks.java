package nl.appwacht.agent;

import android.content.Context;

/**
 * Native entry points that exist only in the test build of the library (feature test-hooks): the
 * adapter's reading of the device as JSON, a deliberate panic, and the benchmark's baseline. They
 * only read; judging and acting go through the typed API, as in the app. A release or phone build
 * exports none of them.
 */
public final class NativeTestHooks {
    static {
        System.loadLibrary("appwacht");
    }

    private NativeTestHooks() {}

    /** Every installed package, as the core's inventory JSON. */
    public static native String readInventory(Context context, String request);

    /** Packages changed since a sequence number ({"sequence", "packages"}), or null. */
    public static native String changedPackages(Context context, int sequence);

    public static native void panicForTest();

    /** Drives the conversion helpers into a Java exception; answers what happened (test builds only). */
    public static native String errorPaths();

    /** Parses an inventory JSON in the core (the benchmark's baseline); answers the package count. */
    public static native int parseInventory(String json);
}
