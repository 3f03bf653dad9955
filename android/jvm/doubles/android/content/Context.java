package android.content;

/** Test double: exactly the members of android.content.Context the agent uses. */
public abstract class Context {
    public static final String DEVICE_POLICY_SERVICE = "device_policy";

    public Context() {}

    public abstract Context getApplicationContext();

    public abstract android.content.pm.PackageManager getPackageManager();

    public abstract String getPackageName();

    public abstract Object getSystemService(String name);
}
