package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.jobs.config.SpecLoader;
import io.loopline.synthetic.TransactionGenerator;
import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.ServingJob;
import io.loopline.kafka.KafkaTopics;
import io.loopline.operators.features.spec.FeatureSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile events on the real broker, into the serving job on a MiniCluster with restarts turned off
 * (so a crash on any input fails the test instead of being retried away): every one ends in
 * {@code dead-letters} with its reason, every valid event around them is featurized once, and a
 * far-future timestamp does not drag event time forward and make later events late.
 */
class HostileInputITCase {
    private static final int PARALLELISM = 2;
    private static final int VALID_EVENTS = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(PARALLELISM).build());

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    private record Hostile(String key, byte[] value, String expectedReason) {}

    @Test
    void everyHostileEventIsDeadLetteredWithItsReasonAndTheJobNeverRestarts(@TempDir Path checkpoints) throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        KafkaTopics.ensure(bootstrap, Map.of("events", PARALLELISM, "features", PARALLELISM, "dead-letters", 1), Duration.ofSeconds(30));
        FeatureSpec spec = SpecLoader.load("transactions");
        Configuration conf = LocalEnvironments.streamingConfiguration(PARALLELISM, checkpoints, Duration.ofMillis(500));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        new ServingJob(
                KafkaIo.events(bootstrap, "events", "it-hostile", false),
                KafkaIo.features(bootstrap, "features", spec.name(), "it-hostile"),
                KafkaIo.deadLetters(bootstrap, "dead-letters", "it-hostile"),
                new ServingJob.Settings(spec, ServingJobExactlyOnceITCase.neutralFit(spec), 128))
                .build(env);
        JobClient job = env.executeAsync("hostile-input-it");
        try {
            // Phase 1: a valid stream, fully featurized, so event time has moved on before anything hostile arrives.
            var generator = new TransactionGenerator(11, 200, 0.0, 1_700_000_000_000L);
            List<TransactionGenerator.Generated> valid = new ArrayList<>();
            for (int i = 0; i < VALID_EVENTS; i++) {
                valid.add(generator.next());
            }
            TestProducer.write(bootstrap, "events", valid);
            long lastValidTime = valid.stream().mapToLong(TransactionGenerator.Generated::timestamp).max().orElseThrow();
            awaitCommitted(bootstrap, "features", records -> records.size() >= VALID_EVENTS, Duration.ofSeconds(90), job);

            // Phase 2: the hostile events, then valid ones that must still be featurized.
            List<Hostile> hostile = hostileEvents(lastValidTime);
            Map<String, byte[]> followers = new LinkedHashMap<>();
            followers.put("with-bom", withBom(event("bom-1", "with-bom", lastValidTime + 3_000, "12.5")));
            followers.put("sentinel", event("sentinel-1", "sentinel", lastValidTime + 60_000, "7"));
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            hostile.forEach(h -> records.add(record(h.key(), h.value())));
            records.add(record("h-dup", event("dup-1", "h-dup", lastValidTime + 2_000, "5")));
            followers.forEach((key, value) -> records.add(record(key, value)));
            send(bootstrap, records);

            Set<String> hostileKeys = hostile.stream().map(Hostile::key).collect(Collectors.toSet());
            List<ConsumerRecord<byte[], byte[]>> deadLetters = awaitCommitted(bootstrap, "dead-letters",
                    r -> keys(r).containsAll(hostileKeys), Duration.ofSeconds(90), job);
            List<ConsumerRecord<byte[], byte[]>> features = awaitCommitted(bootstrap, "features",
                    r -> keys(r).containsAll(Set.of("dup-1", "bom-1", "sentinel-1")), Duration.ofSeconds(90), job);

            Map<String, String> reasonByKey = new HashMap<>();
            for (var d : deadLetters) {
                JsonNode node = JSON.readTree(d.value());
                assertThat(node.path("detail").asText()).as("detail of %s", node).isNotBlank();
                assertThat(reasonByKey.put(key(d), node.path("reason").asText())).as("one dead letter per hostile event: %s", key(d)).isNull();
            }
            Map<String, String> expected = hostile.stream().collect(Collectors.toMap(Hostile::key, Hostile::expectedReason));
            assertThat(reasonByKey).containsExactlyInAnyOrderEntriesOf(expected);
            JsonNode big = JSON.readTree(deadLetters.stream().filter(d -> key(d).equals("h-900kb")).findFirst().orElseThrow().value());
            assertThat(big.path("rawTruncated").asBoolean()).isTrue();
            assertThat(big.path("rawBytes").asLong()).isGreaterThan(900_000);

            List<String> featurized = features.stream().map(HostileInputITCase::key).toList();
            assertThat(featurized).doesNotHaveDuplicates().hasSize(VALID_EVENTS + 3);
            assertThat(featurized).containsAll(valid.stream().map(TransactionGenerator.Generated::eventId).toList());
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            Await.cancelled(job);
        }
    }

    /** Each with a unique key that the dead letter keeps (late and duplicate ones: the entity, so it is the key too). */
    private static List<Hostile> hostileEvents(long now) {
        List<Hostile> h = new ArrayList<>();
        String fine = new String(event("x", "x", now, "1"), StandardCharsets.UTF_8);
        h.add(new Hostile("h-truncated", fine.substring(0, fine.length() / 2).getBytes(StandardCharsets.UTF_8), "malformed-json"));
        h.add(new Hostile("h-amount-text", event("t-1", "h-amount-text", now, "\"12.5\""), "wrong-type"));
        h.add(new Hostile("h-amount-array", event("t-2", "h-amount-array", now, "[" + "0,".repeat(100_000) + "0]"), "wrong-type"));
        h.add(new Hostile("h-card-object", replace(fine, "\"card_id\":\"x\"", "\"card_id\":{\"a\":1}"), "wrong-type"));
        h.add(new Hostile("h-huge-category", replace(fine, "\"country\":\"DE\"", "\"country\":\"" + "D".repeat(500_000) + "\""), "too-long"));
        // Fits the broker's 1 MB record limit; its dead letter must too (raw bytes are capped there).
        h.add(new Hostile("h-900kb", replace(fine, "\"country\":\"DE\"", "\"country\":\"" + "D".repeat(900_000) + "\""), "too-long"));
        h.add(new Hostile("h-huge-id", event("i".repeat(100_000), "h-huge-id", now, "1"), "too-long"));
        h.add(new Hostile("h-deep", ("{\"event_id\":\"deep\",\"x\":" + "[".repeat(50_000) + "]".repeat(50_000) + "}").getBytes(StandardCharsets.UTF_8),
                "malformed-json"));
        h.add(new Hostile("h-nan", event("t-3", "h-nan", now, "NaN"), "malformed-json"));
        h.add(new Hostile("h-infinity", event("t-4", "h-infinity", now, "1e400"), "non-finite"));
        h.add(new Hostile("h-lone-surrogate", event("t-5\\ud800", "h-lone-surrogate", now, "1"), "bad-unicode"));
        h.add(new Hostile("h-invalid-utf8", invalidUtf8(event("t-6", "h-invalid-utf8", now, "1")), "malformed-json"));
        h.add(new Hostile("h-no-card", replace(fine, "\"card_id\":\"x\",", ""), "missing-field"));
        h.add(new Hostile("h-no-time", replace(fine, "\"ts\":" + now + ",", ""), "missing-field"));
        h.add(new Hostile("h-far-past", event("t-7", "h-far-past", 1_000, "1"), "late"));
        h.add(new Hostile("h-far-future", event("t-8", "h-far-future", 32_503_680_000_000L, "1"), "time-in-future"));
        h.add(new Hostile("h-empty", new byte[0], "empty-payload"));
        h.add(new Hostile("h-tombstone", null, "empty-payload"));
        h.add(new Hostile("h-array", "[1,2,3]".getBytes(StandardCharsets.UTF_8), "not-an-object"));
        h.add(new Hostile("h-number", "42".getBytes(StandardCharsets.UTF_8), "not-an-object"));
        h.add(new Hostile("h-null", "null".getBytes(StandardCharsets.UTF_8), "not-an-object"));
        // The same event twice: the first is featurized (sent after these, see the test), the second is a duplicate.
        h.add(new Hostile("h-dup", event("dup-1", "h-dup", now + 2_000, "5"), "duplicate-event-id"));
        return h;
    }

    private static byte[] event(String id, String card, long ts, String amountJson) {
        return ("{\"event_id\":\"" + id + "\",\"card_id\":\"" + card + "\",\"ts\":" + ts + ",\"amount\":" + amountJson
                + ",\"card_age_days\":100,\"merchant_category\":\"grocery\",\"country\":\"DE\",\"device\":\"mobile\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] replace(String json, String from, String to) {
        assertThat(json).contains(from);
        return json.replace(from, to).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] withBom(byte[] json) {
        byte[] out = new byte[json.length + 3];
        out[0] = (byte) 0xEF;
        out[1] = (byte) 0xBB;
        out[2] = (byte) 0xBF;
        System.arraycopy(json, 0, out, 3, json.length);
        return out;
    }

    /** Puts 0xC3 0x28 (a two-byte lead followed by a non-continuation byte) inside the merchant category. */
    private static byte[] invalidUtf8(byte[] json) {
        String text = new String(json, StandardCharsets.UTF_8);
        int at = text.indexOf("grocery") + 3;
        byte[] out = new byte[json.length + 2];
        System.arraycopy(json, 0, out, 0, at);
        out[at] = (byte) 0xC3;
        out[at + 1] = (byte) 0x28;
        System.arraycopy(json, at, out, at + 2, json.length - at);
        return out;
    }

    private static ProducerRecord<byte[], byte[]> record(String key, byte[] value) {
        return new ProducerRecord<>("events", key.getBytes(StandardCharsets.UTF_8), value);
    }

    private static void send(String bootstrap, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (var producer = new KafkaProducer<byte[], byte[]>(props)) {
            for (var r : records) {
                sent.add(producer.send(r));
            }
            producer.flush();
            for (var f : sent) {
                f.get();
            }
        }
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
    }

    private static Set<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(HostileInputITCase::key).collect(Collectors.toSet());
    }

    /** Re-reads the committed topic until the condition holds, failing fast if the job stops running. */
    private static List<ConsumerRecord<byte[], byte[]>> awaitCommitted(String bootstrap, String topic,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout, JobClient job) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
        return Await.result(timeout, Duration.ofMillis(500), () -> {
            assertThat(job.getJobStatus().get()).as("the job's status").isEqualTo(JobStatus.RUNNING);
            List<ConsumerRecord<byte[], byte[]>> records = CommittedRecords.readAll(bootstrap, topic, Duration.ofSeconds(30));
            seen.clear();
            seen.addAll(records);
            return done.test(records) ? Optional.of(records) : Optional.empty();
        }, () -> "condition on " + topic + " not met; " + seen.size() + " records: " + keys(seen).stream().limit(40).toList());
    }
}
