package io.loopline.state.records;

import io.loopline.state.serialization.ImmutableRecordSerializer;
import io.loopline.state.serialization.RecordTypeInfo;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The label join's state for one event id, in one value (one state read and write per record):
 * the served prediction once it arrived, a label waiting for it or for its window to close, and the
 * phase: {@link #OPEN}, {@link #JOINED} (labelled), {@link #CLOSED} (window closed).
 */
public record JoinEntry(ServedFeatures prediction, Label label, int phase) {
    public static final int OPEN = 0;
    public static final int JOINED = 1;
    public static final int CLOSED = 2;

    public static final TypeInformation<JoinEntry> TYPE_INFO = new RecordTypeInfo<>(JoinEntry.class, new Serializer());

    /** Explicit serializer; format 1. */
    public static final class Serializer extends ImmutableRecordSerializer<JoinEntry> {
        private static final long serialVersionUID = 1L;
        private final ServedFeatures.Serializer predictions = new ServedFeatures.Serializer();
        private final Label.Serializer labels = new Label.Serializer();

        @Override
        public JoinEntry createInstance() {
            return new JoinEntry(null, null, OPEN);
        }

        @Override
        protected int currentFormatVersion() {
            return 1;
        }

        @Override
        protected void writeRecord(JoinEntry e, DataOutputView out) throws IOException {
            out.writeBoolean(e.prediction != null);
            if (e.prediction != null) {
                predictions.serialize(e.prediction, out);
            }
            out.writeBoolean(e.label != null);
            if (e.label != null) {
                labels.serialize(e.label, out);
            }
            out.writeByte(e.phase);
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
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<JoinEntry> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
