package android.app;

/** Test double of android.app.Application. */
public class Application extends android.content.ContextWrapper {
    public Application() {
        super(null);
    }

    public void onCreate() {}
}
