package android.view;

/** Test double of android.view.ContextThemeWrapper (no public members are used). */
public class ContextThemeWrapper extends android.content.ContextWrapper {
    protected ContextThemeWrapper() {
        super(null);
    }
}
