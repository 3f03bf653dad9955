package android.content;

/** Test double of android.content.ComponentName. */
public final class ComponentName {
    private final String pkg;
    private final String cls;

    public ComponentName(String pkg, String cls) {
        this.pkg = pkg;
        this.cls = cls;
    }

    public ComponentName(Context pkg, Class<?> cls) {
        this(pkg.getPackageName(), cls.getName());
    }

    public String getPackageName() {
        return pkg;
    }

    public String getClassName() {
        return cls;
    }

    public String flattenToShortString() {
        return cls.startsWith(pkg + ".") ? pkg + "/" + cls.substring(pkg.length()) : pkg + "/" + cls;
    }
}
