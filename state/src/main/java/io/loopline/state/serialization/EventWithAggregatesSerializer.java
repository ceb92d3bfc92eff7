package io.loopline.state.serialization;

import io.loopline.state.records.EventWithAggregates;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Explicit serializer of {@link EventWithAggregates}; format 1: the event (its own format), then the aggregates. */
public final class EventWithAggregatesSerializer extends ImmutableRecordSerializer<EventWithAggregates> {
    public static final TypeInformation<EventWithAggregates> TYPE_INFO = new RecordTypeInfo<>(EventWithAggregates.class, new EventWithAggregatesSerializer());

    private static final long serialVersionUID = 1L;
    private static final EventSerializer EVENTS = new EventSerializer();

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
        EVENTS.serialize(r.event(), out);
        Nullables.writeDoubles(r.aggregates(), out);
    }

    @Override
    protected EventWithAggregates readRecord(int version, DataInputView in) throws IOException {
        return new EventWithAggregates(EVENTS.deserialize(in), Nullables.readDoubles(in));
    }

    @Override
    public TypeSerializerSnapshot<EventWithAggregates> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from a savepoint (older savepoints name {@code EventWithAggregates$Snapshot}, which does the same). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<EventWithAggregates> {
        public Snapshot() {
            super(EventWithAggregatesSerializer::new);
        }
    }
}
