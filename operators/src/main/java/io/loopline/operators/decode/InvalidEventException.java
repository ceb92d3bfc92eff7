package io.loopline.operators.decode;

/**
 * Why an event could not be decoded: a machine-readable reason, the field at fault (if any) and a
 * readable detail. Thrown per bad record, so it skips the stack trace.
 */
public final class InvalidEventException extends Exception {
    private static final long serialVersionUID = 1L;

    public static final String MALFORMED_JSON = "malformed-json";
    public static final String NOT_AN_OBJECT = "not-an-object";
    public static final String EMPTY_PAYLOAD = "empty-payload";
    public static final String MISSING_FIELD = "missing-field";
    public static final String WRONG_TYPE = "wrong-type";
    public static final String NON_FINITE = "non-finite";
    public static final String BAD_TIME = "bad-time";
    public static final String TIME_IN_FUTURE = "time-in-future";
    public static final String TOO_LONG = "too-long";
    public static final String BAD_UNICODE = "bad-unicode";

    private final String reason;
    private final String field;

    public InvalidEventException(String reason, String field, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
        this.field = field;
    }

    public String reason() {
        return reason;
    }

    /** The field at fault, or null. */
    public String field() {
        return field;
    }
}
