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

    public static final String ACTION_APPLICATION_DELEGATION_SCOPES_CHANGED = "android.app.action.APPLICATION_DELEGATION_SCOPES_CHANGED";
    public static final String EXTRA_DELEGATION_SCOPES = "android.app.extra.DELEGATION_SCOPES";
    public static final String DELEGATION_PACKAGE_ACCESS = "delegation-package-access";
    public static final String DELEGATION_BLOCK_UNINSTALL = "delegation-block-uninstall";
    public static final String DELEGATION_PERMISSION_GRANT = "delegation-permission-grant";
    public static final String DELEGATION_APP_RESTRICTIONS = "delegation-app-restrictions";

    protected DevicePolicyManager() {}

    /**
     * The scopes delegated to a package. With a null admin the caller may ask only about itself
     * (a delegate learning its own scopes); with a component, the caller must be that admin
     * (DevicePolicyManagerService#getDelegatedScopes).
     */
    public java.util.List<String> getDelegatedScopes(ComponentName admin, String delegatedPackage) {
        FakeDevice.requireSdk(26, "getDelegatedScopes(ComponentName, String)");
        if (admin == null && !FakeDevice.SELF.equals(delegatedPackage)) {
            throw new SecurityException("Caller with uid " + android.os.Process.myUid() + " is not " + delegatedPackage);
        }
        if (admin != null) {
            authorize(admin, null);
        }
        return new ArrayList<>(FakeDevice.delegations.getOrDefault(delegatedPackage, java.util.Collections.emptyList()));
    }

    public boolean isDeviceOwnerApp(String packageName) {
        return FakeDevice.deviceOwner && FakeDevice.SELF.equals(packageName);
    }

    public boolean isProfileOwnerApp(String packageName) {
        return FakeDevice.profileOwner && FakeDevice.SELF.equals(packageName);
    }

    private static void requireOwner(ComponentName admin) {
        authorize(admin, null);
    }

    /**
     * Who may call a method, as DevicePolicyManagerService decides: with a component, it must be
     * an active admin of the caller that is device or profile owner ("Admin … does not exist or is
     * not owned by uid …"); with null, the caller must hold the method's delegation scope ("Caller
     * with uid … is not a delegate of scope …"), or from Android 14 be an owner (the admin became
     * @Nullable). Not delegable (scope null): the support message, uninstalling, restrictions.
     */
    private static void authorize(ComponentName admin, String scope) {
        boolean owner = FakeDevice.deviceOwner || FakeDevice.profileOwner;
        int uid = android.os.Process.myUid();
        if (admin == null) {
            if ((scope != null && FakeDevice.holds(scope)) || (owner && android.os.Build.VERSION.SDK_INT >= 34)) {
                return;
            }
            throw new SecurityException("Caller with uid " + uid + " is not a delegate of scope " + scope + ".");
        }
        if (!owner || !FakeDevice.SELF.equals(admin.getPackageName())) {
            throw new SecurityException("Admin " + admin + " does not exist or is not owned by uid " + uid);
        }
    }

    public String[] setPackagesSuspended(ComponentName admin, String[] packageNames, boolean suspended) {
        authorize(admin, DELEGATION_PACKAGE_ACCESS);
        FakeDevice.calls.add("setPackagesSuspended(" + String.join(",", packageNames) + ", " + suspended + ")");
        List<String> failed = new ArrayList<>();
        for (String name : packageNames) {
            FakeDevice.App app = FakeDevice.apps.get(name);
            // PackageManager acts in the caller's user only: an app of another profile is "not
            // installed" here and comes back in the failed array.
            if (app == null || !FakeDevice.installedHere(app) || FakeDevice.unsuspendable.contains(name) || (suspended && FakeDevice.suspendRefusal(name) != null)) {
                failed.add(name);
            } else {
                app.suspended = suspended;
            }
        }
        return failed.toArray(new String[0]);
    }

    public boolean isApplicationHidden(ComponentName admin, String packageName) {
        authorize(admin, DELEGATION_PACKAGE_ACCESS);
        FakeDevice.App app = FakeDevice.apps.get(packageName);
        return app != null && app.hidden;
    }

    public boolean setApplicationHidden(ComponentName admin, String packageName, boolean hidden) {
        authorize(admin, DELEGATION_PACKAGE_ACCESS);
        FakeDevice.calls.add("setApplicationHidden(" + packageName + ", " + hidden + ")");
        FakeDevice.App app = FakeDevice.apps.get(packageName);
        if (app == null || app.hidden == hidden) {
            return false;
        }
        app.hidden = hidden;
        return true;
    }

    public void setUninstallBlocked(ComponentName admin, String packageName, boolean uninstallBlocked) {
        authorize(admin, DELEGATION_BLOCK_UNINSTALL);
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
        authorize(admin, DELEGATION_PERMISSION_GRANT);
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

    // ---- Device-owner hardening. Each models the platform's rules: automatic time needs a device
    // owner (or the profile owner of an organisation-owned device) and, from Android 11,
    // setAutoTimeEnabled replaces the deprecated setAutoTimeRequired; a *global* restriction only a
    // device owner may add; getUserRestrictions answers what this admin set, not what others did
    // (DevicePolicyManagerService keeps each admin's restrictions apart and the platform combines
    // them, so an EMM's restriction stays when the agent clears its own).

    public void setAutoTimeEnabled(ComponentName admin, boolean enabled) {
        FakeDevice.requireSdk(30, "setAutoTimeEnabled(ComponentName, boolean)");
        requireDeviceOwner(admin);
        FakeDevice.autoTime = enabled;
    }

    public boolean getAutoTimeEnabled(ComponentName admin) {
        FakeDevice.requireSdk(30, "getAutoTimeEnabled(ComponentName)");
        return FakeDevice.autoTime;
    }

    @Deprecated
    public void setAutoTimeRequired(ComponentName admin, boolean required) {
        requireDeviceOwner(admin);
        FakeDevice.autoTime = required;
    }

    @Deprecated
    public boolean getAutoTimeRequired() {
        return FakeDevice.autoTime;
    }

    public void addUserRestriction(ComponentName admin, String key) {
        requireOwner(admin);
        if (key.endsWith("_globally")) {
            requireDeviceOwner(admin);
        }
        FakeDevice.calls.add("addUserRestriction(" + key + ")");
        FakeDevice.agentRestrictions.add(key);
    }

    public void clearUserRestriction(ComponentName admin, String key) {
        requireOwner(admin);
        FakeDevice.calls.add("clearUserRestriction(" + key + ")");
        FakeDevice.agentRestrictions.remove(key);
    }

    public android.os.Bundle getUserRestrictions(ComponentName admin) {
        requireOwner(admin);
        android.os.Bundle b = new android.os.Bundle();
        for (String key : FakeDevice.agentRestrictions) {
            b.putBoolean(key, true);
        }
        return b;
    }

    private static void requireDeviceOwner(ComponentName admin) {
        requireOwner(admin);
        if (!FakeDevice.deviceOwner) {
            throw new SecurityException("Admin " + admin + " is not the device owner");
        }
    }
}
