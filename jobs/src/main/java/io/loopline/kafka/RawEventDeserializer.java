package io.loopline.kafka;

import io.loopline.state.serialization.RawEventSerializer;
import io.loopline.state.records.RawEvent;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Keeps Kafka records undecoded, so that decoding errors can carry the raw bytes to dead-letters. */
public final class RawEventDeserializer implements KafkaRecordDeserializationSchema<RawEvent> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawEvent> out) {
        out.collect(new RawEvent(
                record.key(),
                record.value(),
                record.topic() + "-" + record.partition() + "@" + record.offset(),
                record.timestamp()));
    }

    @Override
    public TypeInformation<RawEvent> getProducedType() {
        return RawEventSerializer.TYPE_INFO;
    }
}
