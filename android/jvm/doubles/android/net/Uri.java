package android.net;

/** Test double of android.net.Uri. */
public abstract class Uri {
    Uri() {}

    public static Uri parse(String uriString) {
        return new Uri() {
            @Override
            public String toString() {
                return uriString;
            }
        };
    }

    public abstract String toString();
}
