package nl.appwacht.agent;

import android.content.Context;

/**
 * Native entry points that exist only in the test build of the library (feature test-hooks): the
 * JSON path the JVM harness drives, a deliberate panic, and the benchmark's baseline. A release or
 * phone build exports none of them.
 */
public final class NativeTestHooks {
    static {
        System.loadLibrary("appwacht");
    }

    private NativeTestHooks() {}

    /** Receives the warnings of the JSON path; answers whether the employee was told. */
    public interface EmployeeNotifier {
        boolean warn(String packageName, String action, String message, String link);
    }

    private static volatile EmployeeNotifier notifier;

    public static void setEmployeeNotifier(EmployeeNotifier n) {
        notifier = n;
    }

    /** Called from native code (test builds only). */
    static boolean warnEmployee(String packageName, String action, String message, String link) {
        EmployeeNotifier n = notifier;
        return n != null && n.warn(packageName, action, message, link);
    }

    /** Every installed package, as the core's inventory JSON. */
    public static native String readInventory(Context context, String request);

    /** Packages changed since a sequence number ({"sequence", "packages"}), or null. */
    public static native String changedPackages(Context context, int sequence);

    /** A full scan (or the install path for one package): acts on the device, records the store. */
    public static native String scan(Context context, String request);

    /** Scans the packages changed since the stored sequence number (getChangedPackages). */
    public static native String catchUp(Context context, String request);

    /** Blocks uninstalling the agent and sets the system's support message. */
    public static native void protectAgent(Context context, String request);

    public static native void panicForTest();

    /** Parses an inventory JSON in the core (the benchmark's baseline); answers the package count. */
    public static native int parseInventory(String json);
}
