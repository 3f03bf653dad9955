package android.widget;

/** Test double of android.widget.FrameLayout (no public members are used). */
public class FrameLayout extends android.view.ViewGroup {
    FrameLayout(android.content.Context context) {
        super(context);
    }
}
