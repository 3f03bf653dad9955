package android.widget;

/** Test double of android.widget.Button. */
public class Button extends TextView {
    public Button(android.content.Context context) {
        super(context);
    }
}
