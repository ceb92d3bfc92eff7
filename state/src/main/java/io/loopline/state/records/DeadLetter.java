package io.loopline.state.records;

import java.util.Arrays;
import java.util.Objects;

/**
 * Something Loopline could not use, kept with the reason and the original bytes so nothing bad is
 * silently dropped and it can be replayed after a fix.
 *
 * @param reason a short machine-readable reason, e.g. {@code malformed-json}, {@code missing-field}
 * @param field the offending field, or null when the problem is not about one field
 * @param detail a human-readable explanation
 * @param source where it came from (topic/partition/offset or file/line)
 * @param key the original record key (may be null)
 * @param raw the original bytes (may be null)
 * @param time when it was dead-lettered, epoch millis
 */
public record DeadLetter(
        String reason, String field, String detail, String source, byte[] key, byte[] raw, long time) {

    public DeadLetter {
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetter other
                && reason.equals(other.reason)
                && Objects.equals(field, other.field)
                && Objects.equals(detail, other.detail)
                && Objects.equals(source, other.source)
                && Arrays.equals(key, other.key)
                && Arrays.equals(raw, other.raw)
                && time == other.time;
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, field, source, time);
    }

    @Override
    public String toString() {
        return "DeadLetter[" + reason + (field == null ? "" : " (" + field + ")") + ": " + detail
                + " at " + source + "]";
    }
}
