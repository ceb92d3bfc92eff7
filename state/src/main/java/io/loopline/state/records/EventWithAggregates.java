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
 * An event with its entity's per-entity aggregates as of the event's time (computed only from the
 * entity's earlier events), in the feature spec's aggregate order; {@code NaN} where an aggregate
 * is undefined (e.g. the mean of an empty window).
 */
public record EventWithAggregates(Event event, double[] aggregates) {

    public static final TypeInformation<EventWithAggregates> TYPE_INFO =
            new RecordTypeInfo<>(EventWithAggregates.class, new Serializer());

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

    /** Explicit serializer; format 1: the event (its own format), then the aggregates. */
    public static final class Serializer extends ImmutableRecordSerializer<EventWithAggregates> {
        private static final long serialVersionUID = 1L;
        private static final Event.Serializer EVENTS = new Event.Serializer();

        @Override
        public EventWithAggregates createInstance() {
            return new EventWithAggregates(EVENTS.createInstance(), new double[0]);
        }

        @Override
        protected int currentFormatVersion() {
            return 1;
        }

        @Override
        protected void writeRecord(EventWithAggregates r, DataOutputView out) throws IOException {
            EVENTS.serialize(r.event, out);
            Nullables.writeDoubles(r.aggregates, out);
        }

        @Override
        protected EventWithAggregates readRecord(int version, DataInputView in) throws IOException {
            return new EventWithAggregates(EVENTS.deserialize(in), Nullables.readDoubles(in));
        }

        @Override
        public TypeSerializerSnapshot<EventWithAggregates> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<EventWithAggregates> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
