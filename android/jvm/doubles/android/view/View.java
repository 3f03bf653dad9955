package android.view;

/** Test double of android.view.View. */
public class View {
    public View(android.content.Context context) {}

    public void setOnClickListener(OnClickListener l) {}

    public void setPadding(int left, int top, int right, int bottom) {}

    public static interface OnClickListener {
        void onClick(View v);
    }
}
