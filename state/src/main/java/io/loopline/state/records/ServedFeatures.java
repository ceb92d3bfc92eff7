package io.loopline.state.records;

import io.loopline.state.serialization.ImmutableRecordSerializer;
import io.loopline.state.serialization.Nullables;
import io.loopline.state.serialization.RecordTypeInfo;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * One line of the feature log, the training data of record: the features exactly as they were
 * served, and the prediction the serving model made from them.
 */
public record ServedFeatures(FeatureVector features, String model, long modelVersion, double score, long servedAt) {

    public static final TypeInformation<ServedFeatures> TYPE_INFO = new RecordTypeInfo<>(ServedFeatures.class, new Serializer());

    public ServedFeatures {
        Objects.requireNonNull(features, "features");
    }

    /** Explicit serializer; format 1. */
    public static final class Serializer extends ImmutableRecordSerializer<ServedFeatures> {
        private static final long serialVersionUID = 1L;
        private final FeatureVector.Serializer features = new FeatureVector.Serializer();

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
            features.serialize(s.features, out);
            Nullables.writeString(s.model, out);
            out.writeLong(s.modelVersion);
            out.writeDouble(s.score);
            out.writeLong(s.servedAt);
        }

        @Override
        protected ServedFeatures readRecord(int version, DataInputView in) throws IOException {
            return new ServedFeatures(features.deserialize(in), Nullables.readString(in), in.readLong(), in.readDouble(), in.readLong());
        }

        @Override
        public TypeSerializerSnapshot<ServedFeatures> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ServedFeatures> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
