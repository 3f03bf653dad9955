package android.os;

/** Test double of android.os.Process: the calling app's uid, in the user it runs as. */
public class Process {
    public Process() {}

    public static final int myPid() {
        return 4242;
    }

    /**
     * The app's uid in the user it runs as: AOSP UserHandle#getUid is userId * PER_USER_RANGE
     * (100000) + the app id, so the agent in work profile 10 runs as 1010123.
     */
    public static final int myUid() {
        return appwacht.doubles.FakeDevice.currentUser * 100_000 + 10_123;
    }
}
