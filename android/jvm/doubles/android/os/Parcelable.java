package android.os;

/** Test double of android.os.Parcelable (no members are used). */
public interface Parcelable {}
