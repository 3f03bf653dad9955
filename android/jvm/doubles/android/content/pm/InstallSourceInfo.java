package android.content.pm;

/** Test double of android.content.pm.InstallSourceInfo (created by the package manager only). */
public final class InstallSourceInfo {
    private final String installing;

    InstallSourceInfo(String installing) {
        this.installing = installing;
    }

    public String getInstallingPackageName() {
        return installing;
    }

    public String getInitiatingPackageName() {
        return installing;
    }
}
