package android.widget;

/** Test double of android.widget.ScrollView. */
public class ScrollView extends FrameLayout {
    public ScrollView(android.content.Context context) {
        super(context);
    }
}
