package io.loopline.state.model;

/** A stored model artifact does not match its metadata (checksum or size): it must not be served. */
public final class CorruptModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CorruptModelException(String message) {
        super(message);
    }
}
