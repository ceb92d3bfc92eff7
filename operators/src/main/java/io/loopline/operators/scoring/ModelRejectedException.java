package io.loopline.operators.scoring;

/** A model version that must not be served; the reason is a short code, the message says why. */
public final class ModelRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String reason;

    public ModelRejectedException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
