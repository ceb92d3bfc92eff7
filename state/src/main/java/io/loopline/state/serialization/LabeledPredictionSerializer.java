package io.loopline.state.serialization;

import io.loopline.state.records.LabeledPrediction;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Explicit serializer of {@link LabeledPrediction}; format 1. */
public final class LabeledPredictionSerializer extends ImmutableRecordSerializer<LabeledPrediction> {
    public static final TypeInformation<LabeledPrediction> TYPE_INFO = new RecordTypeInfo<>(LabeledPrediction.class, new LabeledPredictionSerializer());

    private static final long serialVersionUID = 1L;
    private final ServedFeaturesSerializer served = new ServedFeaturesSerializer();

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
        served.serialize(p.served(), out);
        out.writeDouble(p.label());
        out.writeLong(p.labelTime());
        out.writeBoolean(p.defaulted());
    }

    @Override
    protected LabeledPrediction readRecord(int version, DataInputView in) throws IOException {
        return new LabeledPrediction(served.deserialize(in), in.readDouble(), in.readLong(), in.readBoolean());
    }

    @Override
    public TypeSerializerSnapshot<LabeledPrediction> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from a savepoint (older savepoints name {@code LabeledPrediction$Snapshot}, which does the same). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<LabeledPrediction> {
        public Snapshot() {
            super(LabeledPredictionSerializer::new);
        }
    }
}
