package io.loopline.state.serialization;

import io.loopline.state.records.MonitoringReport;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Explicit serializer of {@link MonitoringReport}; format 1. */
public final class MonitoringReportSerializer extends ImmutableRecordSerializer<MonitoringReport> {
    public static final TypeInformation<MonitoringReport> TYPE_INFO = new RecordTypeInfo<>(MonitoringReport.class, new MonitoringReportSerializer());

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
        Nullables.writeString(r.statistic(), out);
        Nullables.writeString(r.subject(), out);
        out.writeLong(r.modelVersion());
        out.writeLong(r.windowStart());
        out.writeLong(r.windowEnd());
        out.writeLong(r.count());
        out.writeDouble(r.value());
        out.writeDouble(r.pvalue());
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

    /** Restores this serializer from a savepoint (older savepoints name {@code MonitoringReport$Snapshot}, which does the same). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<MonitoringReport> {
        public Snapshot() {
            super(MonitoringReportSerializer::new);
        }
    }
}
