package android.content.pm;

/** Test double of android.content.pm.PackageInfo. A package named in FakeDevice.failing throws from its getter. */
public class PackageInfo {
    public String packageName;
    public String versionName;
    public ApplicationInfo applicationInfo;
    public long firstInstallTime;
    public long lastUpdateTime;
    public SigningInfo signingInfo;
    private long longVersionCode;

    public PackageInfo() {}

    public long getLongVersionCode() {
        if (appwacht.doubles.FakeDevice.failing.contains(packageName)) {
            throw new IllegalStateException("simulated failure reading " + packageName);
        }
        return longVersionCode;
    }

    public void setLongVersionCode(long code) {
        this.longVersionCode = code;
    }
}
