package io.loopline.state.records;

import io.loopline.state.serialization.ImmutableRecordSerializer;
import io.loopline.state.serialization.RecordTypeInfo;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A served prediction with the label that arrived for it: one prequential example, evaluated with
 * the prediction that was actually served, and a training row with the features as they were served.
 *
 * @param defaulted true when no label arrived within the feedback window and the configured
 *     default (natural) label was applied
 */
public record LabeledPrediction(ServedFeatures served, double label, long labelTime, boolean defaulted) {

    public static final TypeInformation<LabeledPrediction> TYPE_INFO = new RecordTypeInfo<>(LabeledPrediction.class, new Serializer());

    public LabeledPrediction {
        Objects.requireNonNull(served, "served");
    }

    /** Explicit serializer; format 1. */
    public static final class Serializer extends ImmutableRecordSerializer<LabeledPrediction> {
        private static final long serialVersionUID = 1L;
        private final ServedFeatures.Serializer served = new ServedFeatures.Serializer();

        @Override
        public LabeledPrediction createInstance() {
            return new LabeledPrediction(served.createInstance(), Double.NaN, 0L, false);
        }

        @Override
        protected int currentFormatVersion() {
            return 1;
        }

        @Override
        protected void writeRecord(LabeledPrediction p, DataOutputView out) throws IOException {
            served.serialize(p.served, out);
            out.writeDouble(p.label);
            out.writeLong(p.labelTime);
            out.writeBoolean(p.defaulted);
        }

        @Override
        protected LabeledPrediction readRecord(int version, DataInputView in) throws IOException {
            return new LabeledPrediction(served.deserialize(in), in.readDouble(), in.readLong(), in.readBoolean());
        }

        @Override
        public TypeSerializerSnapshot<LabeledPrediction> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<LabeledPrediction> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
