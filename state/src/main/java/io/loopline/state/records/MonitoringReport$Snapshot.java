package io.loopline.state.records;

import io.loopline.state.serialization.MonitoringReportSerializer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * The serializer snapshot class that savepoints written while the serializer was nested in
 * {@link MonitoringReport} name. Restoring one resolves this class and continues with {@link MonitoringReportSerializer},
 * whose format it has always been.
 */
public final class MonitoringReport$Snapshot extends SimpleTypeSerializerSnapshot<MonitoringReport> {
    public MonitoringReport$Snapshot() {
        super(MonitoringReportSerializer::new);
    }
}
