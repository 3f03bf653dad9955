package android.content.pm;

/** Test double of android.content.pm.ActivityInfo. */
public class ActivityInfo extends ComponentInfo {
    ActivityInfo() {}
}
