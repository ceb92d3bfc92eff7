package io.loopline.state.serialization;

import io.loopline.state.records.FeatureVector;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Explicit serializer of {@link FeatureVector}; format 1. */
public final class FeatureVectorSerializer extends ImmutableRecordSerializer<FeatureVector> {
    public static final TypeInformation<FeatureVector> TYPE_INFO = new RecordTypeInfo<>(FeatureVector.class, new FeatureVectorSerializer());

    private static final long serialVersionUID = 1L;

    @Override
    public FeatureVector createInstance() {
        return new FeatureVector("", "", 0L, new double[0], Double.NaN);
    }

    @Override
    protected int currentFormatVersion() {
        return 1;
    }

    @Override
    protected void writeRecord(FeatureVector v, DataOutputView out) throws IOException {
        Nullables.writeString(v.eventId(), out);
        Nullables.writeString(v.entity(), out);
        out.writeLong(v.timestamp());
        Nullables.writeDoubles(v.values(), out);
        out.writeDouble(v.label());
    }

    @Override
    protected FeatureVector readRecord(int version, DataInputView in) throws IOException {
        return new FeatureVector(Nullables.readString(in), Nullables.readString(in), in.readLong(), Nullables.readDoubles(in), in.readDouble());
    }

    @Override
    public TypeSerializerSnapshot<FeatureVector> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from a savepoint (older savepoints name {@code FeatureVector$Snapshot}, which does the same). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<FeatureVector> {
        public Snapshot() {
            super(FeatureVectorSerializer::new);
        }
    }
}
