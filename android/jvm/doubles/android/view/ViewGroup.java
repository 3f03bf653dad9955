package android.view;

import java.util.ArrayList;
import java.util.List;

/** Test double of android.view.ViewGroup. */
public abstract class ViewGroup extends View {
    final List<View> children = new ArrayList<>();

    public ViewGroup(android.content.Context context) {
        super(context);
    }

    public void addView(View child) {
        children.add(child);
    }
}
