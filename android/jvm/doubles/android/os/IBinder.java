package android.os;

/** Test double of android.os.IBinder (no members are used). */
public interface IBinder {}
