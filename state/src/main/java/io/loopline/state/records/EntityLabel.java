package io.loopline.state.records;

import java.util.Objects;

/**
 * A label on its way into its entity's label history: the entity, the label, and when it arrived
 * (event time: the labels topic's {@code timestamp}; in a backfill, the event's time plus the spec's arrival delay).
 */
public record EntityLabel(String entity, double value, long arrival) {

    public EntityLabel {
        Objects.requireNonNull(entity, "entity");
    }
}
