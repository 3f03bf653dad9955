package android.app.admin;

import android.content.ComponentName;
import appwacht.doubles.FakeDevice;
import java.util.ArrayList;
import java.util.List;

/** Test double of android.app.admin.DevicePolicyManager, acting on FakeDevice's state. */
public class DevicePolicyManager {
    public static final String EXTRA_PROVISIONING_ADMIN_EXTRAS_BUNDLE = "android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE";

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
            if (app == null || FakeDevice.unsuspendable.contains(name)) {
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
}
