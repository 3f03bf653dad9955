package android.content;

/** Test double of android.content.IntentSender (no public members are used). */
public class IntentSender {
    protected IntentSender() {}
}
