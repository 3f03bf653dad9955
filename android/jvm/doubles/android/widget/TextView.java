package android.widget;

/** Test double of android.widget.TextView. */
public class TextView extends android.view.View {
    private CharSequence text = "";

    public TextView(android.content.Context context) {
        super(context);
    }

    public final void setText(CharSequence text) {
        this.text = text;
    }

    public void setTextSize(float size) {}
}
