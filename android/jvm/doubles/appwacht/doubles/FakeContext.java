package appwacht.doubles;

import android.app.admin.DevicePolicyManager;
import android.content.Context;
import android.content.pm.PackageManager;

/** The application context of the agent on a fake device. */
public final class FakeContext extends Context {
    private final PackageManager pm = new FakePackageManager();
    private final DevicePolicyManager dpm = new DevicePolicyManager() {};

    @Override
    public Context getApplicationContext() {
        return this;
    }

    @Override
    public PackageManager getPackageManager() {
        return pm;
    }

    @Override
    public String getPackageName() {
        return FakeDevice.SELF;
    }

    @Override
    public Object getSystemService(String name) {
        return Context.DEVICE_POLICY_SERVICE.equals(name) ? dpm : null;
    }
}
