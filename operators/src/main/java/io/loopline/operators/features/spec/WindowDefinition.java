package io.loopline.operators.features.spec;

import java.io.Serializable;
import java.time.Duration;

/**
 * A per-entity sliding event-time window over one numeric field (or over events, for counts only).
 *
 * <p>Time is cut into buckets of {@code granularity}; an event at time t sees the buckets {@code
 * (floor(t/g) - n, floor(t/g)]} with {@code n = length / granularity}, restricted to events
 * strictly before t. The window therefore covers between {@code length - granularity} and {@code
 * length} of history, the price of bounded state.
 *
 * @param fieldIndex index into the event's numeric values, or -1 to count events
 */
public record WindowDefinition(String field, int fieldIndex, Duration length, Duration granularity) implements Serializable {
    public WindowDefinition {
        if (granularity.isZero() || length.compareTo(granularity) < 0) {
            throw new IllegalArgumentException("window length " + length + " must be at least its granularity " + granularity);
        }
        if (length.toMillis() % granularity.toMillis() != 0) {
            throw new IllegalArgumentException("window length " + length + " must be a multiple of its granularity " + granularity);
        }
    }

    public int buckets() {
        return (int) (length.toMillis() / granularity.toMillis());
    }

    public long bucketOf(long timestamp) {
        return Math.floorDiv(timestamp, granularity.toMillis());
    }
}
