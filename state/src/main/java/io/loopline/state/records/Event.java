package io.loopline.state.records;

import io.loopline.state.serialization.ImmutableRecordSerializer;
import io.loopline.state.serialization.Nullables;
import io.loopline.state.serialization.RecordTypeInfo;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

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

    public static final TypeInformation<Event> TYPE_INFO =
            new RecordTypeInfo<>(Event.class, new Serializer());

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

    /** Explicit serializer; format 1: id, entity, timestamp, numbers, categories, label. */
    public static final class Serializer extends ImmutableRecordSerializer<Event> {
        private static final long serialVersionUID = 1L;

        @Override
        public Event createInstance() {
            return new Event("", "", 0L, new double[0], new String[0], Double.NaN);
        }

        @Override
        protected int currentFormatVersion() {
            return 1;
        }

        @Override
        protected void writeRecord(Event e, DataOutputView out) throws IOException {
            Nullables.writeString(e.id, out);
            Nullables.writeString(e.entity, out);
            out.writeLong(e.timestamp);
            Nullables.writeDoubles(e.numbers, out);
            Nullables.writeStrings(e.categories, out);
            out.writeDouble(e.label);
        }

        @Override
        protected Event readRecord(int version, DataInputView in) throws IOException {
            return new Event(
                    Nullables.readString(in),
                    Nullables.readString(in),
                    in.readLong(),
                    Nullables.readDoubles(in),
                    Nullables.readStrings(in),
                    in.readDouble());
        }

        @Override
        public TypeSerializerSnapshot<Event> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Event> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
