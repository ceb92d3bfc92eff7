package io.loopline.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The dead-letter topic as an operator sees it: what is in it (by reason and field), and replaying
 * the original bytes of chosen dead letters into a topic once the cause is fixed (a schema change
 * deployed, a producer repaired). Reads what is committed, from the beginning to the current end.
 */
public final class DeadLetterTopic {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One dead letter as read back. */
    public record Letter(byte[] key, String reason, String field, String detail, String source, byte[] raw, boolean truncated) {}

    /** What a replay did. */
    public record Replayed(long matched, long replayed, long skippedTruncated, long skippedWithoutBytes) {}

    private final KafkaConnection kafka;
    private final String topic;

    public DeadLetterTopic(KafkaConnection kafka, String topic) {
        this.kafka = kafka;
        this.topic = topic;
    }

    /** Every committed dead letter, oldest first per partition. */
    public List<Letter> readAll(Duration timeout) throws IOException {
        Properties props = kafka.properties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<Letter> letters = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IOException("topic '" + topic + "' does not exist on " + kafka);
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("could not read " + topic + " to its end within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    letters.add(parse(record));
                }
            }
        }
        return letters;
    }

    /** Dead letters per reason, then per field ({@code -} when none). */
    public static Map<String, Map<String, Long>> countByReasonAndField(List<Letter> letters) {
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        for (Letter l : letters) {
            counts.computeIfAbsent(l.reason(), r -> new TreeMap<>()).merge(l.field() == null ? "-" : l.field(), 1L, Long::sum);
        }
        return counts;
    }

    /**
     * Writes the original bytes of the matching dead letters to {@code target}, with their original
     * keys, and waits for every acknowledgement. Letters whose bytes were cut (over 512 KiB) or that
     * carry none are skipped and counted.
     */
    public Replayed replay(List<Letter> letters, Predicate<Letter> which, String target) throws IOException {
        Properties props = kafka.properties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        long matched = 0;
        long truncated = 0;
        long withoutBytes = 0;
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (var producer = new KafkaProducer<byte[], byte[]>(props)) {
            for (Letter l : letters) {
                if (!which.test(l)) {
                    continue;
                }
                matched++;
                if (l.raw() == null) {
                    withoutBytes++;
                } else if (l.truncated()) {
                    truncated++;
                } else {
                    sent.add(producer.send(new ProducerRecord<>(target, l.key(), l.raw())));
                }
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while replaying into " + target, e);
        } catch (ExecutionException e) {
            throw new IOException("cannot write to " + target + " on " + kafka + ": " + e.getCause(), e);
        }
        return new Replayed(matched, sent.size(), truncated, withoutBytes);
    }

    private static Letter parse(ConsumerRecord<byte[], byte[]> record) throws IOException {
        JsonNode node = JSON.readTree(record.value());
        String raw = node.path("rawBase64").isTextual() ? node.path("rawBase64").asText() : null;
        return new Letter(record.key(), node.path("reason").asText(), node.path("field").isTextual() ? node.path("field").asText() : null,
                node.path("detail").asText(), node.path("source").asText(null), raw == null ? null : Base64.getDecoder().decode(raw),
                node.path("rawTruncated").asBoolean(false));
    }
}
