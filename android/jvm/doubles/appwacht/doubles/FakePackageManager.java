package appwacht.doubles;

import android.content.pm.ChangedPackages;
import android.content.pm.PackageInfo;
import android.content.pm.PackageManager;
import java.util.List;

/** The concrete package manager behind FakeContext (the platform's is hidden, too). */
public final class FakePackageManager extends PackageManager {
    @Override
    public List<PackageInfo> getInstalledPackages(int flags) {
        FakeDevice.calls.add("getInstalledPackages(int)");
        return FakeDevice.packages(flags);
    }

    @Override
    public PackageInfo getPackageInfo(String packageName, int flags) throws NameNotFoundException {
        FakeDevice.calls.add("getPackageInfo(String, int)");
        return FakeDevice.packageInfo(packageName, flags);
    }

    @Override
    public String getInstallerPackageName(String packageName) {
        FakeDevice.calls.add("getInstallerPackageName(String)");
        FakeDevice.App app = FakeDevice.apps.get(packageName);
        if (app == null) {
            throw new IllegalArgumentException("Unknown package: " + packageName);
        }
        return app.installer;
    }

    private final android.content.pm.PackageInstaller installer = FakeDevice.newPackageInstaller();

    @Override
    public android.content.pm.PackageInstaller getPackageInstaller() {
        return installer;
    }

    @Override
    public ChangedPackages getChangedPackages(int sequenceNumber) {
        FakeDevice.calls.add("getChangedPackages(int)");
        return FakeDevice.changedSince(sequenceNumber);
    }

    /**
     * The HOME resolution: the default launcher's activity (with several launchers and no default,
     * the platform answers its chooser, which belongs to "android").
     */
    @Override
    public android.content.pm.ResolveInfo resolveActivity(android.content.Intent intent, int flags) {
        FakeDevice.calls.add("resolveActivity(Intent, int)");
        if (!android.content.Intent.ACTION_MAIN.equals(intent.getAction())) {
            return null;
        }
        // Their constructors are not in the API listing: made as the platform's parcel code would.
        android.content.pm.ResolveInfo info = FakeDevice.construct(android.content.pm.ResolveInfo.class);
        info.activityInfo = FakeDevice.construct(android.content.pm.ActivityInfo.class);
        info.activityInfo.packageName = FakeDevice.homePackage == null ? "android" : FakeDevice.homePackage;
        return info;
    }

    /** The app's label; the package name for an app without one (AOSP PackageItemInfo#loadLabel). */
    @Override
    public CharSequence getApplicationLabel(android.content.pm.ApplicationInfo info) {
        FakeDevice.App app = FakeDevice.apps.get(info.packageName);
        return app == null || app.label == null ? info.packageName : app.label;
    }
}
