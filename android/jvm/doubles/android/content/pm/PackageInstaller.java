package android.content.pm;

/** Test double of android.content.pm.PackageInstaller. */
public class PackageInstaller {
    public static final String EXTRA_STATUS = "android.content.pm.extra.STATUS";
    public static final String EXTRA_STATUS_MESSAGE = "android.content.pm.extra.STATUS_MESSAGE";
    public static final int STATUS_FAILURE = 1;
    public static final int STATUS_SUCCESS = 0;

    protected PackageInstaller() {}

    /**
     * Uninstalls (silently: the caller is device owner) and reports through {@code statusReceiver},
     * as the platform does: later (see FakeDevice#deliverInstallerResults), with the result filled
     * in only if its PendingIntent is mutable.
     */
    public void uninstall(String packageName, android.content.IntentSender statusReceiver) {
        appwacht.doubles.FakeDevice.calls.add("PackageInstaller.uninstall(" + packageName + ")");
        appwacht.doubles.FakeDevice.App app = appwacht.doubles.FakeDevice.apps.get(packageName);
        if (app == null || !app.installed) {
            appwacht.doubles.FakeDevice.sendStatus(statusReceiver, packageName, STATUS_FAILURE, "not installed");
            return;
        }
        app.installed = false;
        appwacht.doubles.FakeDevice.sendStatus(statusReceiver, packageName, STATUS_SUCCESS, "OK");
    }
}
