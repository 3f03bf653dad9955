package nl.appwacht.agent;

import android.content.Context;

/**
 * The native library's JNI entry points, and the two hooks the library calls back: telling the
 * employee, and uninstalling through PackageInstaller. Requests and answers are JSON.
 *
 * <p>Load order: {@code System.loadLibrary("appwacht")} (here) runs {@code JNI_OnLoad}; JNA, which
 * the UniFFI bindings use, does not, so the app touches this class before the typed API.
 */
public final class NativeBridge {
    static {
        System.loadLibrary("appwacht");
    }

    private NativeBridge() {}

    /** Shows the employee why an app is restricted; answers whether it was shown. */
    public interface EmployeeNotifier {
        boolean warn(String packageName, String action, String message, String link);
    }

    /** Uninstalls an app; answers null when accepted, or why it failed. */
    public interface Uninstaller {
        String uninstall(String packageName);
    }

    private static volatile EmployeeNotifier notifier;
    private static volatile Uninstaller uninstaller;

    public static void setEmployeeNotifier(EmployeeNotifier n) {
        notifier = n;
    }

    public static void setUninstaller(Uninstaller u) {
        uninstaller = u;
    }

    /** Checks the framework is reachable: {"sdk", "package", "owner"}. */
    public static native String init(Context context);

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

    /** Called from native code. */
    static boolean warnEmployee(String packageName, String action, String message, String link) {
        EmployeeNotifier n = notifier;
        return n != null && n.warn(packageName, action, message, link);
    }

    /** Called from native code. */
    static String uninstallPackage(String packageName) {
        Uninstaller u = uninstaller;
        return u == null ? "no uninstaller is registered in the app" : u.uninstall(packageName);
    }
}
