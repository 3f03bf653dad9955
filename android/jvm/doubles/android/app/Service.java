package android.app;

/** Test double of android.app.Service. */
public abstract class Service extends android.content.ContextWrapper {
    public static final int START_STICKY = 1;
    public static final int START_NOT_STICKY = 2;

    public Service() {
        super(null);
    }

    public abstract android.os.IBinder onBind(android.content.Intent intent);

    public void onCreate() {}

    public void onDestroy() {}

    /** The platform's default for an app of this age is START_STICKY (Service reference). */
    public int onStartCommand(android.content.Intent intent, int flags, int startId) {
        return START_STICKY;
    }

    public final void startForeground(int id, Notification notification) {
        appwacht.doubles.FakeDevice.startedForeground(this, id, notification, 0);
    }

    public final void startForeground(int id, Notification notification, int foregroundServiceType) {
        appwacht.doubles.FakeDevice.requireSdk(29, "startForeground(int, Notification, int)");
        appwacht.doubles.FakeDevice.startedForeground(this, id, notification, foregroundServiceType);
    }

    protected void dump(java.io.FileDescriptor fd, java.io.PrintWriter writer, String[] args) {}
}
