package io.loopline.state.records;

import io.loopline.state.serialization.ImmutableRecordSerializer;
import io.loopline.state.serialization.Nullables;
import io.loopline.state.serialization.RecordTypeInfo;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Histograms of one event-time window, over the reference profile's bins: per feature column, of
 * the prediction scores (per model version), and of the labels. One subtask's part of a window,
 * or (after merging) all of it. Fixed size whatever the traffic.
 *
 * @param features {@code features[column][bin]} counts over the reference bins of that column
 * @param scores {@code scores[bin]} over ten equal-width score bins, for {@code modelVersion}
 * @param labels counts of label 0 and label 1 (joined examples only)
 */
public record WindowHistograms(long windowStart, long windowEnd, long modelVersion, long count, double[][] features, double[] scores,
        double[] labels) {

    public static final TypeInformation<WindowHistograms> TYPE_INFO = new RecordTypeInfo<>(WindowHistograms.class, new Serializer());

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowHistograms h && windowStart == h.windowStart && windowEnd == h.windowEnd && modelVersion == h.modelVersion
                && count == h.count && java.util.Arrays.deepEquals(features, h.features) && java.util.Arrays.equals(scores, h.scores)
                && java.util.Arrays.equals(labels, h.labels);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(windowStart) * 31 + Long.hashCode(modelVersion) * 17 + java.util.Arrays.deepHashCode(features);
    }

    /** Explicit serializer; format 1. */
    public static final class Serializer extends ImmutableRecordSerializer<WindowHistograms> {
        private static final long serialVersionUID = 1L;

        @Override
        public WindowHistograms createInstance() {
            return new WindowHistograms(0, 0, 0, 0, new double[0][], new double[0], new double[0]);
        }

        @Override
        protected int currentFormatVersion() {
            return 1;
        }

        @Override
        protected void writeRecord(WindowHistograms h, DataOutputView out) throws IOException {
            out.writeLong(h.windowStart);
            out.writeLong(h.windowEnd);
            out.writeLong(h.modelVersion);
            out.writeLong(h.count);
            out.writeInt(h.features.length);
            for (double[] column : h.features) {
                Nullables.writeDoubles(column, out);
            }
            Nullables.writeDoubles(h.scores, out);
            Nullables.writeDoubles(h.labels, out);
        }

        @Override
        protected WindowHistograms readRecord(int version, DataInputView in) throws IOException {
            long start = in.readLong();
            long end = in.readLong();
            long modelVersion = in.readLong();
            long count = in.readLong();
            double[][] features = new double[in.readInt()][];
            for (int i = 0; i < features.length; i++) {
                features[i] = Nullables.readDoubles(in);
            }
            return new WindowHistograms(start, end, modelVersion, count, features, Nullables.readDoubles(in), Nullables.readDoubles(in));
        }

        @Override
        public TypeSerializerSnapshot<WindowHistograms> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<WindowHistograms> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
