package android.content.pm;

/** Test double of android.content.pm.ApplicationInfo. */
public class ApplicationInfo extends PackageItemInfo {
    public static final int FLAG_SYSTEM = 1;
    public static final int FLAG_UPDATED_SYSTEM_APP = 128;
    public static final int FLAG_INSTALLED = 8388608;
    public static final int FLAG_SUSPENDED = 1073741824;

    public int flags;

    public ApplicationInfo() {}
}
