package android.content.pm;

import appwacht.doubles.FakeDevice;
import java.util.List;

/**
 * Test double of android.content.pm.PackageManager. Members newer than the running SDK level
 * (-Dappwacht.sdk) throw NoSuchMethodError, as they would on such a phone.
 */
public abstract class PackageManager {
    public static final int MATCH_DEFAULT_ONLY = 65536;
    public static final int GET_SIGNING_CERTIFICATES = 134217728;
    public static final int MATCH_UNINSTALLED_PACKAGES = 8192;

    @Deprecated
    public PackageManager() {}

    public abstract List<PackageInfo> getInstalledPackages(int flags);

    public List<PackageInfo> getInstalledPackages(PackageInfoFlags flags) {
        FakeDevice.requireSdk(33, "getInstalledPackages(PackageInfoFlags)");
        return FakeDevice.packages((int) flags.getValue());
    }

    public abstract PackageInfo getPackageInfo(String packageName, int flags) throws NameNotFoundException;

    public PackageInfo getPackageInfo(String packageName, PackageInfoFlags flags) throws NameNotFoundException {
        FakeDevice.requireSdk(33, "getPackageInfo(String, PackageInfoFlags)");
        return FakeDevice.packageInfo(packageName, (int) flags.getValue());
    }

    public InstallSourceInfo getInstallSourceInfo(String packageName) throws NameNotFoundException {
        FakeDevice.requireSdk(30, "getInstallSourceInfo(String)");
        FakeDevice.App app = FakeDevice.app(packageName);
        String initiating = app.initiating != null ? app.initiating : app.installer;
        return new InstallSourceInfo(app.installer, initiating, app.originating);
    }

    @Deprecated
    public abstract String getInstallerPackageName(String packageName);

    public abstract ChangedPackages getChangedPackages(int sequenceNumber);

    public abstract PackageInstaller getPackageInstaller();

    public abstract ResolveInfo resolveActivity(android.content.Intent intent, int flags);

    public abstract CharSequence getApplicationLabel(ApplicationInfo info);

    public static class NameNotFoundException extends android.util.AndroidException {
        public NameNotFoundException() {}

        public NameNotFoundException(String name) {
            super(name);
        }
    }

    public static final class PackageInfoFlags {
        private final long value;

        private PackageInfoFlags(long value) {
            this.value = value;
        }

        public long getValue() {
            return value;
        }

        public static PackageInfoFlags of(long value) {
            FakeDevice.requireSdk(33, "PackageInfoFlags.of(long)");
            return new PackageInfoFlags(value);
        }
    }
}
