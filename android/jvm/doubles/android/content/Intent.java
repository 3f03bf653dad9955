package android.content;

import java.util.HashMap;
import java.util.Map;

/** Test double of android.content.Intent. */
public class Intent {
    public static final String ACTION_PACKAGE_ADDED = "android.intent.action.PACKAGE_ADDED";
    public static final String ACTION_PACKAGE_REPLACED = "android.intent.action.PACKAGE_REPLACED";
    public static final String ACTION_PACKAGE_FULLY_REMOVED = "android.intent.action.PACKAGE_FULLY_REMOVED";
    public static final String ACTION_BOOT_COMPLETED = "android.intent.action.BOOT_COMPLETED";
    public static final String ACTION_APPLICATION_RESTRICTIONS_CHANGED = "android.intent.action.APPLICATION_RESTRICTIONS_CHANGED";
    public static final String ACTION_SEND = "android.intent.action.SEND";
    public static final String ACTION_MAIN = "android.intent.action.MAIN";
    public static final String CATEGORY_HOME = "android.intent.category.HOME";
    public static final String ACTION_SCREEN_ON = "android.intent.action.SCREEN_ON";
    public static final String EXTRA_SUBJECT = "android.intent.extra.SUBJECT";
    public static final String EXTRA_TEXT = "android.intent.extra.TEXT";

    private String action;
    private String type;
    /** The explicit component's class (Intent(Context, Class)); read by the fake device. */
    private Class<?> component;
    private String packageName;
    private android.net.Uri data;
    private final Map<String, Object> extras = new HashMap<>();
    private final java.util.Set<String> categories = new java.util.HashSet<>();

    public Intent() {}

    public Intent(String action) {
        this.action = action;
    }

    public Intent(String action, android.net.Uri uri) {
        this.action = action;
        this.data = uri;
    }

    public Intent(Context packageContext, Class<?> cls) {
        this.action = null;
        this.component = cls;
    }

    public Intent(Intent o) {
        this.action = o.action;
        this.type = o.type;
        this.data = o.data;
        this.component = o.component;
        this.packageName = o.packageName;
        this.extras.putAll(o.extras);
        this.categories.addAll(o.categories);
    }

    public Intent addCategory(String category) {
        categories.add(category);
        return this;
    }

    public String getAction() {
        return action;
    }

    public String getDataString() {
        return data == null ? null : data.toString();
    }

    public String getStringExtra(String name) {
        Object v = extras.get(name);
        return v instanceof String ? (String) v : null;
    }

    public int getIntExtra(String name, int defaultValue) {
        Object v = extras.get(name);
        return v instanceof Integer ? (Integer) v : defaultValue;
    }

    @SuppressWarnings("unchecked")
    @Deprecated
    public <T extends android.os.Parcelable> T getParcelableExtra(String name) {
        return (T) extras.get(name);
    }

    public Intent putExtra(String name, String value) {
        extras.put(name, value);
        return this;
    }

    public Intent setPackage(String packageName) {
        this.packageName = packageName;
        return this;
    }

    public Intent setType(String type) {
        this.type = type;
        return this;
    }

    public static Intent createChooser(Intent target, CharSequence title) {
        Intent chooser = new Intent("android.intent.action.CHOOSER");
        chooser.extras.put("android.intent.extra.INTENT", target);
        return chooser;
    }
}
