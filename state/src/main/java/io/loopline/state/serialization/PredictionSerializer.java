package io.loopline.state.serialization;

import io.loopline.state.records.Prediction;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Explicit serializer of {@link Prediction}; format 1. */
public final class PredictionSerializer extends ImmutableRecordSerializer<Prediction> {
    public static final TypeInformation<Prediction> TYPE_INFO = new RecordTypeInfo<>(Prediction.class, new PredictionSerializer());

    private static final long serialVersionUID = 1L;

    @Override
    public Prediction createInstance() {
        return new Prediction("", "", 0L, Double.NaN, "", 0L, Double.NaN, 0L);
    }

    @Override
    protected int currentFormatVersion() {
        return 1;
    }

    @Override
    protected void writeRecord(Prediction p, DataOutputView out) throws IOException {
        Nullables.writeString(p.eventId(), out);
        Nullables.writeString(p.entity(), out);
        out.writeLong(p.eventTime());
        out.writeDouble(p.score());
        Nullables.writeString(p.model(), out);
        out.writeLong(p.modelVersion());
        out.writeDouble(p.label());
        out.writeLong(p.servedAt());
    }

    @Override
    protected Prediction readRecord(int version, DataInputView in) throws IOException {
        return new Prediction(Nullables.readString(in), Nullables.readString(in), in.readLong(), in.readDouble(), Nullables.readString(in),
                in.readLong(), in.readDouble(), in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<Prediction> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from a savepoint (older savepoints name {@code Prediction$Snapshot}, which does the same). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Prediction> {
        public Snapshot() {
            super(PredictionSerializer::new);
        }
    }
}
