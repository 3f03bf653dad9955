package android.util;

/** Test double of android.util.AndroidException (its constructors are not used by the agent). */
public class AndroidException extends Exception {
    protected AndroidException() {}

    protected AndroidException(String message) {
        super(message);
    }
}
