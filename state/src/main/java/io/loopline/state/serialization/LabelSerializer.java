package io.loopline.state.serialization;

import io.loopline.state.records.Label;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Explicit serializer of {@link Label}; format 1. */
public final class LabelSerializer extends ImmutableRecordSerializer<Label> {
    public static final TypeInformation<Label> TYPE_INFO = new RecordTypeInfo<>(Label.class, new LabelSerializer());

    private static final long serialVersionUID = 1L;

    @Override
    public Label createInstance() {
        return new Label("", Double.NaN, 0L);
    }

    @Override
    protected int currentFormatVersion() {
        return 1;
    }

    @Override
    protected void writeRecord(Label l, DataOutputView out) throws IOException {
        Nullables.writeString(l.eventId(), out);
        out.writeDouble(l.value());
        out.writeLong(l.timestamp());
    }

    @Override
    protected Label readRecord(int version, DataInputView in) throws IOException {
        return new Label(Nullables.readString(in), in.readDouble(), in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<Label> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from a savepoint (older savepoints name {@code Label$Snapshot}, which does the same). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Label> {
        public Snapshot() {
            super(LabelSerializer::new);
        }
    }
}
