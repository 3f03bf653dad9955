package android.content;

/** Test double: exactly the members of android.content.Context the agent and the app use. */
public abstract class Context {
    public static final String DEVICE_POLICY_SERVICE = "device_policy";
    public static final String JOB_SCHEDULER_SERVICE = "jobscheduler";
    public static final String NOTIFICATION_SERVICE = "notification";
    public static final String RESTRICTIONS_SERVICE = "restrictions";
    public static final String USER_SERVICE = "user";
    public static final int RECEIVER_NOT_EXPORTED = 4;
    public static final int MODE_PRIVATE = 0;

    public Context() {}

    public abstract Context getApplicationContext();

    public abstract android.content.pm.PackageManager getPackageManager();

    public abstract String getPackageName();

    public abstract Object getSystemService(String name);

    public abstract java.io.File getNoBackupFilesDir();

    public abstract SharedPreferences getSharedPreferences(String name, int mode);

    public abstract Intent registerReceiver(BroadcastReceiver receiver, IntentFilter filter);

    public abstract Intent registerReceiver(BroadcastReceiver receiver, IntentFilter filter, int flags);

    public abstract void unregisterReceiver(BroadcastReceiver receiver);

    public abstract ContentResolver getContentResolver();

    public abstract ComponentName startForegroundService(Intent service);

    public abstract void startActivity(Intent intent);

    public abstract void startActivity(Intent intent, android.os.Bundle options);
}
