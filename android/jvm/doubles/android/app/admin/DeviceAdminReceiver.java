package android.app.admin;

/** Test double of android.app.admin.DeviceAdminReceiver. */
public class DeviceAdminReceiver extends android.content.BroadcastReceiver {
    public DeviceAdminReceiver() {}

    public void onEnabled(android.content.Context context, android.content.Intent intent) {}

    public void onProfileProvisioningComplete(android.content.Context context, android.content.Intent intent) {}

    public void onReceive(android.content.Context context, android.content.Intent intent) {}
}
