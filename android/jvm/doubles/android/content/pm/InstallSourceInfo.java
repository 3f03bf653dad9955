package android.content.pm;

/**
 * Test double of android.content.pm.InstallSourceInfo (created by the package manager only).
 *
 * <p>Models the platform's distinction, as documented on
 * https://developer.android.com/reference/android/content/pm/InstallSourceInfo: the installing
 * package is the installer of record, which anyone installing over adb can name
 * ({@code pm install -i com.android.vending}) and which {@code setInstallerPackageName} changes; the
 * initiating package "continues to identify the actual package that performed the install"
 * (AOSP {@code com.android.server.pm.PackageInstallerService#createSessionInternal} takes it from
 * the calling uid, which for adb is the shell, {@code com.android.shell}); the originating package
 * is supplied by the initiator and not verified.
 */
public final class InstallSourceInfo {
    private final String installing;
    private final String initiating;
    private final String originating;

    InstallSourceInfo(String installing, String initiating, String originating) {
        this.installing = installing;
        this.initiating = initiating;
        this.originating = originating;
    }

    public String getInstallingPackageName() {
        return installing;
    }

    public String getInitiatingPackageName() {
        return initiating;
    }

    public String getOriginatingPackageName() {
        return originating;
    }
}
