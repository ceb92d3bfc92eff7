package io.loopline.state.records;

import java.util.Arrays;

/**
 * An event exactly as it arrived: undecoded bytes plus where they came from. Decoding happens in
 * the pipeline, so a malformed payload can be sent to dead-letters with its raw bytes.
 *
 * @param key the record key (may be null)
 * @param value the payload (may be null for a tombstone)
 * @param origin a readable source position, e.g. {@code events-1@4711} or {@code file.jsonl:12}
 * @param timestamp the transport timestamp in epoch millis (Kafka record time), or -1
 */
public record RawEvent(byte[] key, byte[] value, String origin, long timestamp) {

    @Override
    public boolean equals(Object o) {
        return o instanceof RawEvent other
                && Arrays.equals(key, other.key)
                && Arrays.equals(value, other.value)
                && java.util.Objects.equals(origin, other.origin)
                && timestamp == other.timestamp;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value) * 31 + Long.hashCode(timestamp);
    }

    @Override
    public String toString() {
        return "RawEvent[" + origin + ", " + (value == null ? 0 : value.length) + " bytes]";
    }
}
