package android.util;

/** Test double of android.util.Log: to standard error. */
public final class Log {
    private Log() {}

    public static int i(String tag, String msg) {
        System.err.println("I/" + tag + ": " + msg);
        appwacht.doubles.FakeDevice.log.add("I/" + tag + ": " + msg);
        return 0;
    }

    public static int w(String tag, String msg) {
        System.err.println("W/" + tag + ": " + msg);
        appwacht.doubles.FakeDevice.log.add("W/" + tag + ": " + msg);
        return 0;
    }

    public static int e(String tag, String msg) {
        System.err.println("E/" + tag + ": " + msg);
        appwacht.doubles.FakeDevice.log.add("E/" + tag + ": " + msg);
        return 0;
    }

    public static int e(String tag, String msg, Throwable tr) {
        System.err.println("E/" + tag + ": " + msg + " " + tr);
        return 0;
    }
}
