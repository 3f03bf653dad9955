package android.os;

/** Test double of android.os.Bundle. */
public final class Bundle extends BaseBundle implements Parcelable {
    public Bundle() {}
}
