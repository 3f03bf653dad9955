package android.os;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Test double of android.os.BaseBundle. */
public class BaseBundle {
    final Map<String, Object> values = new LinkedHashMap<>();

    BaseBundle() {}

    public boolean containsKey(String key) {
        return values.containsKey(key);
    }

    public String getString(String key) {
        Object v = values.get(key);
        return v instanceof String ? (String) v : null;
    }

    public int getInt(String key, int defaultValue) {
        Object v = values.get(key);
        return v instanceof Integer ? (Integer) v : defaultValue;
    }

    public String[] getStringArray(String key) {
        Object v = values.get(key);
        return v instanceof String[] ? (String[]) v : null;
    }

    public Set<String> keySet() {
        return values.keySet();
    }

    public void putString(String key, String value) {
        values.put(key, value);
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        Object v = values.get(key);
        return v instanceof Boolean ? (Boolean) v : defaultValue;
    }

    public void putBoolean(String key, boolean value) {
        values.put(key, value);
    }

    public void putInt(String key, int value) {
        values.put(key, value);
    }

    public void putStringArray(String key, String[] value) {
        values.put(key, value);
    }
}
