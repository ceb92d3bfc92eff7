package io.loopline.operators.features.spec;

/** A feature spec that cannot be used; the message names the file, line and key. */
public final class SpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public SpecException(String message) {
        super(message);
    }
}
