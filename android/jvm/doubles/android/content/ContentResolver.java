package android.content;

/** Test double of android.content.ContentResolver (no member of its own is used). */
public abstract class ContentResolver {
    protected ContentResolver() {}
}
