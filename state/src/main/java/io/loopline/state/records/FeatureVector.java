package io.loopline.state.records;

import io.loopline.state.serialization.ImmutableRecordSerializer;
import io.loopline.state.serialization.Nullables;
import io.loopline.state.serialization.RecordTypeInfo;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The model input for one event, as of that event's time: values in the feature spec's column
 * order, and the event's label when it has one.
 */
public record FeatureVector(String eventId, String entity, long timestamp, double[] values, double label) {

    public static final TypeInformation<FeatureVector> TYPE_INFO =
            new RecordTypeInfo<>(FeatureVector.class, new Serializer());

    public FeatureVector {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(values, "values");
    }

    public boolean hasLabel() {
        return !Double.isNaN(label);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureVector other
                && eventId.equals(other.eventId)
                && Objects.equals(entity, other.entity)
                && timestamp == other.timestamp
                && Arrays.equals(values, other.values)
                && Double.compare(label, other.label) == 0;
    }

    @Override
    public int hashCode() {
        return eventId.hashCode() * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "FeatureVector[" + eventId + ", " + entity + ", t=" + timestamp + ", " + Arrays.toString(values)
                + (hasLabel() ? ", label=" + label : "") + "]";
    }

    /** Explicit serializer; format 1. */
    public static final class Serializer extends ImmutableRecordSerializer<FeatureVector> {
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
            Nullables.writeString(v.eventId, out);
            Nullables.writeString(v.entity, out);
            out.writeLong(v.timestamp);
            Nullables.writeDoubles(v.values, out);
            out.writeDouble(v.label);
        }

        @Override
        protected FeatureVector readRecord(int version, DataInputView in) throws IOException {
            return new FeatureVector(Nullables.readString(in), Nullables.readString(in), in.readLong(), Nullables.readDoubles(in), in.readDouble());
        }

        @Override
        public TypeSerializerSnapshot<FeatureVector> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<FeatureVector> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
