package io.loopline.state.records;

import java.util.Arrays;
import java.util.Objects;

/**
 * The model input for one event, as of that event's time: values in the feature spec's column
 * order, and the event's label when it has one.
 */
public record FeatureVector(String eventId, String entity, long timestamp, double[] values, double label) {

    public FeatureVector {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(values, "values");
    }

    public boolean hasLabel() {
        return !Double.isNaN(label);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureVector other
                && eventId.equals(other.eventId)
                && Objects.equals(entity, other.entity)
                && timestamp == other.timestamp
                && Arrays.equals(values, other.values)
                && Double.compare(label, other.label) == 0;
    }

    @Override
    public int hashCode() {
        return eventId.hashCode() * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "FeatureVector[" + eventId + ", " + entity + ", t=" + timestamp + ", " + Arrays.toString(values)
                + (hasLabel() ? ", label=" + label : "") + "]";
    }
}
