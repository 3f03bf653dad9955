package android.content;

/** Test double of android.content.ContextWrapper: delegates to its base context. */
public class ContextWrapper extends Context {
    // Not final: the platform attaches a component's base context after constructing it
    // (ActivityThread calls the hidden attachBaseContext); FakeDevice.attach does the same.
    private Context base;

    public ContextWrapper(Context base) {
        this.base = base;
    }

    public Context getBaseContext() {
        return base;
    }

    @Override
    public Context getApplicationContext() {
        return base.getApplicationContext();
    }

    @Override
    public android.content.pm.PackageManager getPackageManager() {
        return base.getPackageManager();
    }

    @Override
    public String getPackageName() {
        return base.getPackageName();
    }

    @Override
    public Object getSystemService(String name) {
        return base.getSystemService(name);
    }

    @Override
    public java.io.File getNoBackupFilesDir() {
        return base.getNoBackupFilesDir();
    }

    @Override
    public SharedPreferences getSharedPreferences(String name, int mode) {
        return base.getSharedPreferences(name, mode);
    }

    @Override
    public Intent registerReceiver(BroadcastReceiver receiver, IntentFilter filter) {
        return base.registerReceiver(receiver, filter);
    }

    @Override
    public Intent registerReceiver(BroadcastReceiver receiver, IntentFilter filter, int flags) {
        return base.registerReceiver(receiver, filter, flags);
    }

    @Override
    public ContentResolver getContentResolver() {
        return base.getContentResolver();
    }

    @Override
    public void unregisterReceiver(BroadcastReceiver receiver) {
        base.unregisterReceiver(receiver);
    }

    @Override
    public ComponentName startForegroundService(Intent service) {
        return base.startForegroundService(service);
    }

    public void startActivity(Intent intent) {
        base.startActivity(intent);
    }

    @Override
    public void startActivity(Intent intent, android.os.Bundle options) {
        base.startActivity(intent, options);
    }
}
