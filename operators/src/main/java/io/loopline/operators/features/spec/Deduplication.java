package io.loopline.operators.features.spec;

import java.io.Serializable;
import java.time.Duration;

/**
 * Which repeated event ids the feature operator drops: a second event with an id already seen for
 * the same entity within {@code window} of event time is a duplicate (a producer retry, a replayed
 * file) and is dead-lettered instead of being counted twice in the aggregates and scored twice.
 * Each entity remembers at most {@code maxIdsPerEntity} ids; beyond that its oldest are forgotten.
 * A zero window turns deduplication off.
 */
public record Deduplication(Duration window, int maxIdsPerEntity) implements Serializable {
    public static final Deduplication DEFAULT = new Deduplication(Duration.ofMinutes(10), 10_000);
    public static final Deduplication OFF = new Deduplication(Duration.ZERO, 0);

    public Deduplication {
        if (window.isNegative()) {
            throw new IllegalArgumentException("the deduplication window must not be negative: " + window);
        }
        if (!window.isZero() && maxIdsPerEntity < 1) {
            throw new IllegalArgumentException("remember at least one id per entity, not " + maxIdsPerEntity);
        }
    }

    public boolean enabled() {
        return !window.isZero();
    }
}
