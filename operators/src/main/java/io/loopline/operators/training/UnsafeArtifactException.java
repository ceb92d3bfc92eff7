package io.loopline.operators.training;

import java.io.IOException;

/** A model artifact refused before DL4J reads it; {@link #reason()} is the dead-letter reason. */
public final class UnsafeArtifactException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    UnsafeArtifactException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
