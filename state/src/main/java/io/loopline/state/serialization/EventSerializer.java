package io.loopline.state.serialization;

import io.loopline.state.records.Event;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Explicit serializer of {@link Event}; format 1: id, entity, timestamp, numbers, categories, label. */
public final class EventSerializer extends ImmutableRecordSerializer<Event> {
    public static final TypeInformation<Event> TYPE_INFO = new RecordTypeInfo<>(Event.class, new EventSerializer());

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
        Nullables.writeString(e.id(), out);
        Nullables.writeString(e.entity(), out);
        out.writeLong(e.timestamp());
        Nullables.writeDoubles(e.numbers(), out);
        Nullables.writeStrings(e.categories(), out);
        out.writeDouble(e.label());
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

    /** Restores this serializer from a savepoint (older savepoints name {@code Event$Snapshot}, which does the same). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Event> {
        public Snapshot() {
            super(EventSerializer::new);
        }
    }
}
