package android.content.pm;

/** Test double of android.content.pm.PackageInstaller. */
public class PackageInstaller {
    public static final String EXTRA_STATUS = "android.content.pm.extra.STATUS";
    public static final String EXTRA_STATUS_MESSAGE = "android.content.pm.extra.STATUS_MESSAGE";
    public static final int STATUS_FAILURE = 1;
    public static final int STATUS_SUCCESS = 0;

    protected PackageInstaller() {}

    public void uninstall(String packageName, android.content.IntentSender statusReceiver) {
        appwacht.doubles.FakeDevice.calls.add("PackageInstaller.uninstall(" + packageName + ")");
    }
}
