package io.loopline.state.serialization;

import io.loopline.state.records.JoinEntry;
import io.loopline.state.records.Label;
import io.loopline.state.records.ServedFeatures;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Explicit serializer of {@link JoinEntry}; format 1. */
public final class JoinEntrySerializer extends ImmutableRecordSerializer<JoinEntry> {
    public static final TypeInformation<JoinEntry> TYPE_INFO = new RecordTypeInfo<>(JoinEntry.class, new JoinEntrySerializer());

    private static final long serialVersionUID = 1L;
    private final ServedFeaturesSerializer predictions = new ServedFeaturesSerializer();
    private final LabelSerializer labels = new LabelSerializer();

    @Override
    public JoinEntry createInstance() {
        return new JoinEntry(null, null, JoinEntry.OPEN);
    }

    @Override
    protected int currentFormatVersion() {
        return 1;
    }

    @Override
    protected void writeRecord(JoinEntry e, DataOutputView out) throws IOException {
        out.writeBoolean(e.prediction() != null);
        if (e.prediction() != null) {
            predictions.serialize(e.prediction(), out);
        }
        out.writeBoolean(e.label() != null);
        if (e.label() != null) {
            labels.serialize(e.label(), out);
        }
        out.writeByte(e.phase());
    }

    @Override
    protected JoinEntry readRecord(int version, DataInputView in) throws IOException {
        ServedFeatures prediction = in.readBoolean() ? predictions.deserialize(in) : null;
        Label label = in.readBoolean() ? labels.deserialize(in) : null;
        return new JoinEntry(prediction, label, in.readByte());
    }

    @Override
    public TypeSerializerSnapshot<JoinEntry> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from a savepoint (older savepoints name {@code JoinEntry$Snapshot}, which does the same). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<JoinEntry> {
        public Snapshot() {
            super(JoinEntrySerializer::new);
        }
    }
}
