package android.app;

/** Test double of android.app.Service. */
public abstract class Service extends android.content.ContextWrapper {
    public Service() {
        super(null);
    }

    public abstract android.os.IBinder onBind(android.content.Intent intent);

    public void onCreate() {}

    public void onDestroy() {}

    protected void dump(java.io.FileDescriptor fd, java.io.PrintWriter writer, String[] args) {}
}
