package io.loopline.state.records;

import java.util.Arrays;
import java.util.Objects;

/**
 * A decoded, validated event. Field values sit in arrays ordered as the {@link EventSchema}
 * declares them, which keeps state small and serialization explicit.
 *
 * @param id the event id (unique per event; predictions and labels are keyed by it)
 * @param entity the entity key (card, user, sensor) that per-entity state is keyed by
 * @param timestamp event time in epoch millis
 * @param numbers numeric fields in schema order; {@code NaN} marks a missing value (decoding
 *     rejects non-finite input, so NaN never means anything else)
 * @param categories categorical fields in schema order; {@code null} marks a missing value
 * @param label the label if the event carries one, else {@code NaN}
 */
public record Event(
        String id, String entity, long timestamp, double[] numbers, String[] categories, double label) {

    public Event {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(numbers, "numbers");
        Objects.requireNonNull(categories, "categories");
    }

    public boolean hasLabel() {
        return !Double.isNaN(label);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Event other
                && id.equals(other.id)
                && entity.equals(other.entity)
                && timestamp == other.timestamp
                && Arrays.equals(numbers, other.numbers)
                && Arrays.equals(categories, other.categories)
                && Double.compare(label, other.label) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, entity, timestamp);
    }

    @Override
    public String toString() {
        return "Event[" + id + ", " + entity + ", t=" + timestamp + ", " + Arrays.toString(numbers)
                + ", " + Arrays.toString(categories) + (hasLabel() ? ", label=" + label : "") + "]";
    }
}
