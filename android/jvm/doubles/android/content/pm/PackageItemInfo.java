package android.content.pm;

/** Test double of android.content.pm.PackageItemInfo. */
public class PackageItemInfo {
    public String name;
    public String packageName;

    public PackageItemInfo() {}
}
