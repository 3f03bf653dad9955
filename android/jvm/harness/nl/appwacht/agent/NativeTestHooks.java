package nl.appwacht.agent;

/** Native entry points that exist only in the test build of the library (feature test-hooks). */
public final class NativeTestHooks {
    static {
        System.loadLibrary("appwacht");
    }

    private NativeTestHooks() {}

    public static native void panicForTest();
}
