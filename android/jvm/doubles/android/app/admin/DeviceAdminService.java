package android.app.admin;

/**
 * Test double of android.app.admin.DeviceAdminService. On the platform a device or profile owner
 * declares one (action {@code android.app.action.DEVICE_ADMIN_SERVICE}, permission
 * {@code BIND_DEVICE_ADMIN}) and the system keeps it bound, so the owner's process stays alive; the
 * system binds again after the process dies (reference page of DeviceAdminService; AOSP
 * {@code com.android.server.devicepolicy.DeviceAdminServiceController}, whose
 * {@code PersistentConnection} rebinds with a back-off). {@code onBind} is final: the system's
 * binding is the point, not the binder. {@link appwacht.doubles.FakeDevice#bindAdminService} plays
 * the system's part.
 */
public class DeviceAdminService extends android.app.Service {
    public DeviceAdminService() {}

    @Override
    public final android.os.IBinder onBind(android.content.Intent intent) {
        return null;
    }
}
