package nl.appwacht.agent;

/** An error from the native library, with a message a person can act on. */
public class AgentException extends RuntimeException {
    public AgentException(String message) {
        super(message);
    }
}
