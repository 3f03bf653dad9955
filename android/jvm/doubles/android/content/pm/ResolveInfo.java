package android.content.pm;

/** Test double of android.content.pm.ResolveInfo. */
public class ResolveInfo {
    public ActivityInfo activityInfo;

    ResolveInfo() {}
}
