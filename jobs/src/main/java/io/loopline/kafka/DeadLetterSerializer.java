package io.loopline.kafka;

import io.loopline.state.records.DeadLetter;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a {@link DeadLetter} as {@code {reason, field, detail, source, rawBase64, time}}, keyed by
 * the original record's key so a replay lands in the same partition.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        byte[] value = DeadLetterJson.encode(d);
        return new ProducerRecord<>(topic, null, d.time(), d.key(), value);
    }
}
