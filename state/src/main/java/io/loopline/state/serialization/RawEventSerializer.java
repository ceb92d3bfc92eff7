package io.loopline.state.serialization;

import io.loopline.state.records.RawEvent;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Explicit serializer of {@link RawEvent}; format 1: key, value, origin, timestamp. */
public final class RawEventSerializer extends ImmutableRecordSerializer<RawEvent> {
    public static final TypeInformation<RawEvent> TYPE_INFO = new RecordTypeInfo<>(RawEvent.class, new RawEventSerializer());

    private static final long serialVersionUID = 1L;

    @Override
    public RawEvent createInstance() {
        return new RawEvent(null, null, null, -1L);
    }

    @Override
    protected int currentFormatVersion() {
        return 1;
    }

    @Override
    protected void writeRecord(RawEvent r, DataOutputView out) throws IOException {
        Nullables.writeBytes(r.key(), out);
        Nullables.writeBytes(r.value(), out);
        Nullables.writeString(r.origin(), out);
        out.writeLong(r.timestamp());
    }

    @Override
    protected RawEvent readRecord(int version, DataInputView in) throws IOException {
        return new RawEvent(
                Nullables.readBytes(in), Nullables.readBytes(in), Nullables.readString(in), in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<RawEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from a savepoint (older savepoints name {@code RawEvent$Snapshot}, which does the same). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<RawEvent> {
        public Snapshot() {
            super(RawEventSerializer::new);
        }
    }
}
