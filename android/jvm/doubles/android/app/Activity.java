package android.app;

/** Test double of android.app.Activity. */
public class Activity extends android.view.ContextThemeWrapper {
    private android.view.View content;

    public Activity() {}

    protected void onCreate(android.os.Bundle savedInstanceState) {}

    public void setContentView(android.view.View view) {
        content = view;
    }
}
