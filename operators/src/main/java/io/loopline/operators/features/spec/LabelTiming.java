package io.loopline.operators.features.spec;

import java.io.Serializable;
import java.time.Duration;

/**
 * When a label counts for {@code label_history} features. A label is known to an event of its
 * entity when it arrived strictly before the event's time minus {@code knownAfter}: the same rule in
 * BATCH and STREAMING, so a training set never sees a label that serving could not have had.
 *
 * @param arrivalDelay BATCH only: a history file carries labels in its events, not when they arrived; each is taken
 *     to arrive this long after its event (match the live stream's label delay)
 * @param knownAfter how long after its arrival a label counts. Serving holds an event until the labels stream has
 *     passed the event's time minus this (or is idle), so with 0 it waits for the labels stream to catch up with
 *     each event; a value near the labels stream's lag lets events through at once
 * @param maxWait serving only: the longest (wall-clock) an event waits for the labels stream; after that it is scored
 *     with the labels read so far (counted as {@code events_released_without_labels}), so a stalled labels stream costs
 *     latency up to this bound, not an outage
 */
public record LabelTiming(Duration arrivalDelay, Duration knownAfter, Duration maxWait) implements Serializable {
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(2);
    public static final LabelTiming DEFAULT = new LabelTiming(Duration.ZERO, Duration.ZERO, DEFAULT_MAX_WAIT);

    public LabelTiming {
        if (arrivalDelay.isNegative()) {
            throw new IllegalArgumentException("arrival_delay must not be negative: " + arrivalDelay);
        }
        if (knownAfter.isNegative()) {
            throw new IllegalArgumentException("known_after must not be negative: " + knownAfter);
        }
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("max_wait must be positive: " + maxWait);
        }
    }

    /** The same timing with another arrival delay (an evaluation's history, whose label delay it knows). */
    public LabelTiming withArrivalDelay(Duration delay) {
        return new LabelTiming(delay, knownAfter, maxWait);
    }

    /** The same timing with another wait bound. */
    public LabelTiming withMaxWait(Duration wait) {
        return new LabelTiming(arrivalDelay, knownAfter, wait);
    }

    /** Whether a label that arrived at {@code arrival} counts for an event at {@code eventTime}. */
    public boolean known(long arrival, long eventTime) {
        return arrival + knownAfter.toMillis() < eventTime;
    }
}
