package io.loopline.kafka;

import io.loopline.state.records.EntityActivity;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes an {@link EntityActivity} as JSON keyed by event id. */
public final class EntityActivitySerializer implements KafkaRecordSerializationSchema<EntityActivity> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public EntityActivitySerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(EntityActivity a, KafkaSinkContext context, Long timestamp) {
        byte[] value = Json.object(json -> {
            json.writeStringField("eventId", a.eventId());
            json.writeStringField("entity", a.entity());
            json.writeNumberField("eventTime", a.eventTime());
            json.writeNumberField("entitySequence", a.sequence());
            json.writeNumberField("millisSincePrevious", a.millisSincePrevious());
        });
        return new ProducerRecord<>(topic, null, null, a.eventId().getBytes(StandardCharsets.UTF_8), value);
    }
}
