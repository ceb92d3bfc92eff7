package io.loopline.kafka;

import io.loopline.state.records.MonitoringReport;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a {@link MonitoringReport} to the drift topic as
 * {@code {statistic, subject, modelVersion, windowStart, windowEnd, count, value, pvalue?}}, keyed
 * by {@code statistic/subject} so one subject's history stays in one partition, in order.
 */
public final class MonitoringReportSerializer implements KafkaRecordSerializationSchema<MonitoringReport> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public MonitoringReportSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(MonitoringReport r, KafkaSinkContext context, Long timestamp) {
        byte[] value = Json.object(json -> {
            json.writeStringField("statistic", r.statistic());
            json.writeStringField("subject", r.subject());
            json.writeNumberField("modelVersion", r.modelVersion());
            json.writeNumberField("windowStart", r.windowStart());
            json.writeNumberField("windowEnd", r.windowEnd());
            json.writeNumberField("count", r.count());
            if (Double.isFinite(r.value())) {
                json.writeNumberField("value", r.value());
            } else {
                json.writeNullField("value");
            }
            if (!Double.isNaN(r.pvalue())) {
                json.writeNumberField("pvalue", r.pvalue());
            }
        });
        return new ProducerRecord<>(topic, null, null, (r.statistic() + "/" + r.subject()).getBytes(StandardCharsets.UTF_8), value);
    }
}
