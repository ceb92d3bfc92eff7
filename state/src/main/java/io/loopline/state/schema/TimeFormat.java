package io.loopline.state.schema;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** How an event's time field is written. */
public enum TimeFormat {
    /** A JSON number of milliseconds since the epoch. */
    EPOCH_MILLIS,
    /** A JSON number of seconds since the epoch (may have a fraction). */
    EPOCH_SECONDS,
    /** An ISO-8601 instant string such as {@code 2024-05-01T12:00:00Z}. */
    ISO_8601;

    /**
     * Parses a textual or numeric value into epoch millis.
     *
     * @throws IllegalArgumentException with a readable message when the value does not fit
     */
    public long toEpochMillis(String text, double number, boolean isNumber) {
        switch (this) {
            case EPOCH_MILLIS:
                requireNumber(isNumber, text);
                return Math.round(number);
            case EPOCH_SECONDS:
                requireNumber(isNumber, text);
                return Math.round(number * 1000.0);
            case ISO_8601:
                if (isNumber || text == null) {
                    throw new IllegalArgumentException("expected an ISO-8601 instant string");
                }
                try {
                    return Instant.parse(text).toEpochMilli();
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("not an ISO-8601 instant: '" + text + "'");
                }
            default:
                throw new AssertionError(this);
        }
    }

    private static void requireNumber(boolean isNumber, String text) {
        if (!isNumber) {
            throw new IllegalArgumentException("expected a number, got '" + text + "'");
        }
    }
}
