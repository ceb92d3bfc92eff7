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
 * One line of the {@code drift} topic: a statistic of one window (an evaluation metric, a drift
 * statistic of a feature, or a detector's change point) for one model version.
 *
 * @param statistic e.g. {@code accuracy}, {@code psi}, {@code ks}, {@code adwin}
 * @param subject what it is about: {@code model}, a feature name, {@code prediction}, {@code label}, {@code error}
 * @param windowStart event time of the window's first example
 * @param windowEnd event time of its last example
 * @param count examples in the window
 * @param pvalue NaN when the statistic is not a test
 */
public record MonitoringReport(String statistic, String subject, long modelVersion, long windowStart, long windowEnd, long count, double value,
        double pvalue) {

    public static final TypeInformation<MonitoringReport> TYPE_INFO = new RecordTypeInfo<>(MonitoringReport.class, new Serializer());

    /** Explicit serializer; format 1. */
    public static final class Serializer extends ImmutableRecordSerializer<MonitoringReport> {
        private static final long serialVersionUID = 1L;

        @Override
        public MonitoringReport createInstance() {
            return new MonitoringReport("", "", 0, 0, 0, 0, Double.NaN, Double.NaN);
        }

        @Override
        protected int currentFormatVersion() {
            return 1;
        }

        @Override
        protected void writeRecord(MonitoringReport r, DataOutputView out) throws IOException {
            Nullables.writeString(r.statistic, out);
            Nullables.writeString(r.subject, out);
            out.writeLong(r.modelVersion);
            out.writeLong(r.windowStart);
            out.writeLong(r.windowEnd);
            out.writeLong(r.count);
            out.writeDouble(r.value);
            out.writeDouble(r.pvalue);
        }

        @Override
        protected MonitoringReport readRecord(int version, DataInputView in) throws IOException {
            return new MonitoringReport(Nullables.readString(in), Nullables.readString(in), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                    in.readDouble(), in.readDouble());
        }

        @Override
        public TypeSerializerSnapshot<MonitoringReport> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<MonitoringReport> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
