package android.content.pm;

/** Test double of android.content.pm.ComponentInfo. */
public class ComponentInfo extends PackageItemInfo {
    public ApplicationInfo applicationInfo;

    ComponentInfo() {}
}
