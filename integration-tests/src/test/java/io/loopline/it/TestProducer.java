package io.loopline.it;

import io.loopline.synthetic.TransactionGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Writes generated events into a topic and fails if any write fails: a test's input is never silently short. */
final class TestProducer {
    private TestProducer() {}

    static void write(String bootstrap, String topic, List<TransactionGenerator.Generated> events) throws Exception {
        write(io.loopline.kafka.KafkaConnection.of(bootstrap), topic, events);
    }

    static void write(io.loopline.kafka.KafkaConnection kafka, String topic, List<TransactionGenerator.Generated> events) throws Exception {
        Properties props = kafka.properties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // kafka-clients 4.2 against the 4.1 broker: an idempotent producer's last batch to a new
        // topic's partition occasionally went unacknowledged until its 120 s delivery timeout, when
        // several brokers had come and gone in the same JVM. Plain in-order writes avoid it.
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        List<Future<RecordMetadata>> sent = new ArrayList<>(events.size());
        try (var producer = new KafkaProducer<byte[], byte[]>(props)) {
            for (var g : events) {
                sent.add(producer.send(new ProducerRecord<>(topic, g.key(), g.value())));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        }
    }
}
