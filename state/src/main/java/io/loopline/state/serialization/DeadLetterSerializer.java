package io.loopline.state.serialization;

import io.loopline.state.records.DeadLetter;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Explicit serializer of {@link DeadLetter}; format 1. */
public final class DeadLetterSerializer extends ImmutableRecordSerializer<DeadLetter> {
    public static final TypeInformation<DeadLetter> TYPE_INFO = new RecordTypeInfo<>(DeadLetter.class, new DeadLetterSerializer());

    private static final long serialVersionUID = 1L;

    @Override
    public DeadLetter createInstance() {
        return new DeadLetter("", null, null, null, null, null, 0L);
    }

    @Override
    protected int currentFormatVersion() {
        return 1;
    }

    @Override
    protected void writeRecord(DeadLetter d, DataOutputView out) throws IOException {
        Nullables.writeString(d.reason(), out);
        Nullables.writeString(d.field(), out);
        Nullables.writeLongString(d.detail(), out);
        Nullables.writeString(d.source(), out);
        Nullables.writeBytes(d.key(), out);
        Nullables.writeBytes(d.raw(), out);
        out.writeLong(d.time());
    }

    @Override
    protected DeadLetter readRecord(int version, DataInputView in) throws IOException {
        return new DeadLetter(
                Nullables.readString(in),
                Nullables.readString(in),
                Nullables.readLongString(in),
                Nullables.readString(in),
                Nullables.readBytes(in),
                Nullables.readBytes(in),
                in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<DeadLetter> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from a savepoint (older savepoints name {@code DeadLetter$Snapshot}, which does the same). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<DeadLetter> {
        public Snapshot() {
            super(DeadLetterSerializer::new);
        }
    }
}
