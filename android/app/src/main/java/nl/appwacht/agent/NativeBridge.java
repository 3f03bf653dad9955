package nl.appwacht.agent;

import android.content.Context;

/**
 * The native library's one entry point for the app, and the hook it calls back to uninstall
 * through PackageInstaller. Everything else goes through the typed API (UniFFI's {@code Agent});
 * the employee is told through its {@code EmployeeNotifier}.
 *
 * <p>Load order: {@code System.loadLibrary("appwacht")} (here) runs {@code JNI_OnLoad}; JNA, which
 * the UniFFI bindings use, does not, so the app calls {@link #init} before the typed API.
 */
public final class NativeBridge {
    static {
        System.loadLibrary("appwacht");
    }

    private NativeBridge() {}

    /** Uninstalls an app; answers null when accepted, or why it failed. */
    public interface Uninstaller {
        String uninstall(String packageName);
    }

    private static volatile Uninstaller uninstaller;

    public static void setUninstaller(Uninstaller u) {
        uninstaller = u;
    }

    /**
     * Registers the phone (PackageManager, DevicePolicyManager) for the typed API and checks the
     * framework is reachable: answers {"sdk", "package", "owner"}.
     */
    public static native String init(Context context);

    /** Called from native code. */
    static String uninstallPackage(String packageName) {
        Uninstaller u = uninstaller;
        return u == null ? "no uninstaller is registered in the app" : u.uninstall(packageName);
    }
}
