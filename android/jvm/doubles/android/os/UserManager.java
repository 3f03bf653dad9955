package android.os;

/** Test double of android.os.UserManager. */
public class UserManager {
    protected UserManager() {}

    /**
     * Whether the calling user is a work profile (public from Android 11, UserManager reference):
     * the agent's user is one when FakeDevice.workProfile says so.
     */
    public boolean isManagedProfile() {
        appwacht.doubles.FakeDevice.requireSdk(30, "isManagedProfile()");
        return appwacht.doubles.FakeDevice.workProfile;
    }
}
