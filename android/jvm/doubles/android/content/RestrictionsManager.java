package android.content;

/** Test double of android.content.RestrictionsManager: the managed configuration. */
public class RestrictionsManager {
    protected RestrictionsManager() {}

    public android.os.Bundle getApplicationRestrictions() {
        return appwacht.doubles.FakeDevice.restrictions;
    }
}
