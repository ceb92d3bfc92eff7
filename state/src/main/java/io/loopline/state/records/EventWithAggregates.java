package io.loopline.state.records;

import java.util.Arrays;
import java.util.Objects;

/**
 * An event with its entity's per-entity aggregates as of the event's time (computed only from the
 * entity's earlier events), in the feature spec's aggregate order; {@code NaN} where an aggregate
 * is undefined (e.g. the mean of an empty window).
 */
public record EventWithAggregates(Event event, double[] aggregates) {

    public EventWithAggregates {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(aggregates, "aggregates");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventWithAggregates other && event.equals(other.event) && Arrays.equals(aggregates, other.aggregates);
    }

    @Override
    public int hashCode() {
        return event.hashCode() * 31 + Arrays.hashCode(aggregates);
    }

    @Override
    public String toString() {
        return "EventWithAggregates[" + event + ", " + Arrays.toString(aggregates) + "]";
    }
}
