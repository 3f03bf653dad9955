package android.content;

import java.util.ArrayList;
import java.util.List;

/** Test double of android.content.IntentFilter. */
public class IntentFilter {
    private final List<String> actions = new ArrayList<>();
    private final List<String> schemes = new ArrayList<>();

    public IntentFilter(String action) {
        actions.add(action);
    }

    public final void addAction(String action) {
        actions.add(action);
    }

    public final void addDataScheme(String scheme) {
        schemes.add(scheme);
    }
}
