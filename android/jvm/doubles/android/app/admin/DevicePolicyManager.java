package android.app.admin;

import android.content.ComponentName;
import appwacht.doubles.FakeDevice;
import java.util.ArrayList;
import java.util.List;

/** Test double of android.app.admin.DevicePolicyManager, acting on FakeDevice's state. */
public class DevicePolicyManager {
    public static final String EXTRA_PROVISIONING_ADMIN_EXTRAS_BUNDLE = "android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE";
    public static final int PERMISSION_GRANT_STATE_DEFAULT = 0;
    public static final int PERMISSION_GRANT_STATE_GRANTED = 1;
    public static final int PERMISSION_GRANT_STATE_DENIED = 2;

    protected DevicePolicyManager() {}

    public boolean isDeviceOwnerApp(String packageName) {
        return FakeDevice.deviceOwner && FakeDevice.SELF.equals(packageName);
    }

    public boolean isProfileOwnerApp(String packageName) {
        return FakeDevice.profileOwner && FakeDevice.SELF.equals(packageName);
    }

    private static void requireOwner(ComponentName admin) {
        if (!(FakeDevice.deviceOwner || FakeDevice.profileOwner) || admin == null || !FakeDevice.SELF.equals(admin.getPackageName())) {
            throw new SecurityException("Admin " + admin + " does not own the device");
        }
    }

    public String[] setPackagesSuspended(ComponentName admin, String[] packageNames, boolean suspended) {
        requireOwner(admin);
        FakeDevice.calls.add("setPackagesSuspended(" + String.join(",", packageNames) + ", " + suspended + ")");
        List<String> failed = new ArrayList<>();
        for (String name : packageNames) {
            FakeDevice.App app = FakeDevice.apps.get(name);
            if (app == null || FakeDevice.unsuspendable.contains(name) || (suspended && FakeDevice.suspendRefusal(name) != null)) {
                failed.add(name);
            } else {
                app.suspended = suspended;
            }
        }
        return failed.toArray(new String[0]);
    }

    public boolean isApplicationHidden(ComponentName admin, String packageName) {
        requireOwner(admin);
        FakeDevice.App app = FakeDevice.apps.get(packageName);
        return app != null && app.hidden;
    }

    public boolean setApplicationHidden(ComponentName admin, String packageName, boolean hidden) {
        requireOwner(admin);
        FakeDevice.calls.add("setApplicationHidden(" + packageName + ", " + hidden + ")");
        FakeDevice.App app = FakeDevice.apps.get(packageName);
        if (app == null || app.hidden == hidden) {
            return false;
        }
        app.hidden = hidden;
        return true;
    }

    public void setUninstallBlocked(ComponentName admin, String packageName, boolean uninstallBlocked) {
        requireOwner(admin);
        FakeDevice.calls.add("setUninstallBlocked(" + packageName + ", " + uninstallBlocked + ")");
        if (uninstallBlocked) {
            FakeDevice.uninstallBlocked.add(packageName);
        } else {
            FakeDevice.uninstallBlocked.remove(packageName);
        }
    }

    public boolean isUninstallBlocked(ComponentName admin, String packageName) {
        return FakeDevice.uninstallBlocked.contains(packageName);
    }

    public void setShortSupportMessage(ComponentName admin, CharSequence message) {
        requireOwner(admin);
        FakeDevice.supportMessage = message == null ? null : message.toString();
    }

    /**
     * As on the platform: only a device or profile owner (or a delegate) may set a grant state,
     * anyone else gets a SecurityException (DevicePolicyManagerService#setPermissionGrantState).
     */
    public boolean setPermissionGrantState(ComponentName admin, String packageName, String permission, int grantState) {
        appwacht.doubles.FakeDevice.calls.add("setPermissionGrantState(" + packageName + ", " + permission + ", " + grantState + ")");
        if (!appwacht.doubles.FakeDevice.deviceOwner && !appwacht.doubles.FakeDevice.profileOwner) {
            throw new SecurityException("Calling identity is not authorized");
        }
        appwacht.doubles.FakeDevice.grants.put(packageName + " " + permission, grantState);
        return true;
    }

    public int getPermissionGrantState(ComponentName admin, String packageName, String permission) {
        return appwacht.doubles.FakeDevice.grants.getOrDefault(packageName + " " + permission, PERMISSION_GRANT_STATE_DEFAULT);
    }

    /** The active admins: the agent (when it is owner) and any other admin on the phone. */
    public java.util.List<ComponentName> getActiveAdmins() {
        java.util.List<ComponentName> out = new ArrayList<>();
        if (FakeDevice.deviceOwner || FakeDevice.profileOwner) {
            out.add(new ComponentName(FakeDevice.SELF, FakeDevice.SELF + ".AdminReceiver"));
        }
        for (String p : FakeDevice.otherAdmins) {
            out.add(new ComponentName(p, p + ".Admin"));
        }
        return out.isEmpty() ? null : out;
    }
}
