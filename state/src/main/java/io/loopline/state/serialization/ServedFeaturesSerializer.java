package io.loopline.state.serialization;

import io.loopline.state.records.ServedFeatures;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Explicit serializer of {@link ServedFeatures}; format 1. */
public final class ServedFeaturesSerializer extends ImmutableRecordSerializer<ServedFeatures> {
    public static final TypeInformation<ServedFeatures> TYPE_INFO = new RecordTypeInfo<>(ServedFeatures.class, new ServedFeaturesSerializer());

    private static final long serialVersionUID = 1L;
    private final FeatureVectorSerializer features = new FeatureVectorSerializer();

    @Override
    public ServedFeatures createInstance() {
        return new ServedFeatures(features.createInstance(), "", 0L, Double.NaN, 0L);
    }

    @Override
    protected int currentFormatVersion() {
        return 1;
    }

    @Override
    protected void writeRecord(ServedFeatures s, DataOutputView out) throws IOException {
        features.serialize(s.features(), out);
        Nullables.writeString(s.model(), out);
        out.writeLong(s.modelVersion());
        out.writeDouble(s.score());
        out.writeLong(s.servedAt());
    }

    @Override
    protected ServedFeatures readRecord(int version, DataInputView in) throws IOException {
        return new ServedFeatures(features.deserialize(in), Nullables.readString(in), in.readLong(), in.readDouble(), in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<ServedFeatures> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from a savepoint (older savepoints name {@code ServedFeatures$Snapshot}, which does the same). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ServedFeatures> {
        public Snapshot() {
            super(ServedFeaturesSerializer::new);
        }
    }
}
