package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.learning.LearningJob;
import io.loopline.kafka.Json;
import io.loopline.kafka.KafkaTopics;
import io.loopline.operators.drift.ReferenceBins;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learning job on a real broker: a feature log and its labels go in; after an injected shift of
 * one feature and a rise of the error rate, that feature's PSI crosses 0.25 and a detector fires,
 * while the unshifted feature stays quiet.
 */
class LearningJobITCase {
    private static final int PARALLELISM = 2;
    private static final long START = 1_767_225_600_000L;
    private static final long STEP = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(PARALLELISM).build());

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    private static ReferenceBins reference() {
        double[] deciles = {-1.2816, -0.8416, -0.5244, -0.2533, 0, 0.2533, 0.5244, 0.8416, 1.2816};
        double[] counts = {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000};
        return new ReferenceBins(List.of("steady", "shifted"), new double[][] {deciles, deciles}, new double[][] {counts, counts},
                new double[] {-4, -4}, new double[] {4, 4}, new double[] {9000, 1000});
    }

    private record Keyed(int partition, byte[] key, byte[] value) {}

    private static void write(String bootstrap, String topic, List<Keyed> records) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        try (var producer = new KafkaProducer<byte[], byte[]>(props)) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (Keyed r : records) {
                sent.add(producer.send(new ProducerRecord<>(topic, r.partition(), r.key(), r.value())));
            }
            for (var f : sent) {
                f.get();
            }
        }
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    @Test
    void aShiftedFeatureDriftsAndADetectorFiresWhileASteadyFeatureStaysQuiet(@TempDir Path dir) throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        KafkaTopics.ensure(bootstrap, Map.of("learn-feature-log", PARALLELISM, "learn-labels", PARALLELISM, "learn-drift", 1, "learn-dead-letters", 1),
                Duration.ofSeconds(30));
        SplittableRandom random = new SplittableRandom(5);
        List<Keyed> served = new ArrayList<>();
        List<Keyed> labels = new ArrayList<>();
        int n = 12_000; // 20 minutes of event time, one drift window per minute
        for (int i = 0; i < n; i++) {
            boolean shifted = i >= n / 2;
            long t = START + i * STEP;
            String id = "e" + i;
            double label = random.nextDouble() < 0.1 ? 1 : 0;
            boolean wrong = random.nextDouble() < (shifted ? 0.6 : 0.05);
            double score = (label == 1) != wrong ? 0.9 : 0.1;
            double[] values = {gaussian(random), gaussian(random) + (shifted ? 1.0 : 0.0)};
            byte[] line = Json.object(json -> {
                json.writeStringField("eventId", id);
                json.writeStringField("entity", "c" + (id.hashCode() & 7));
                json.writeNumberField("timestamp", t);
                json.writeArrayFieldStart("values");
                json.writeNumber(values[0]);
                json.writeNumber(values[1]);
                json.writeEndArray();
                json.writeStringField("model", "fraud");
                json.writeNumberField("modelVersion", 1);
                json.writeNumberField("score", score);
                json.writeNumberField("servedAt", t);
            });
            served.add(new Keyed(i % PARALLELISM, id.getBytes(StandardCharsets.UTF_8), line));
            if (label == 1) { // chargebacks arrive; everything else is 0 by default when the window closes
                labels.add(new Keyed(i % PARALLELISM, id.getBytes(StandardCharsets.UTF_8),
                        ("{\"eventId\":\"" + id + "\",\"label\":1,\"timestamp\":" + (t + 2000) + "}").getBytes(StandardCharsets.UTF_8)));
            }
        }
        labels.add(new Keyed(0, "bad".getBytes(StandardCharsets.UTF_8), "{\"eventId\":\"x\",\"label\":\"yes\"}".getBytes(StandardCharsets.UTF_8)));
        // Far-future records on every partition move every watermark past the last window.
        for (int p = 0; p < PARALLELISM; p++) {
            long t = START + n * STEP + 600_000;
            String id = "push-" + p;
            served.add(new Keyed(p, id.getBytes(StandardCharsets.UTF_8), ("{\"eventId\":\"" + id + "\",\"timestamp\":" + t
                    + ",\"values\":[0,0],\"model\":\"fraud\",\"modelVersion\":1,\"score\":0.1,\"servedAt\":" + t + "}").getBytes(StandardCharsets.UTF_8)));
            labels.add(new Keyed(p, id.getBytes(StandardCharsets.UTF_8), ("{\"eventId\":\"" + id + "\",\"label\":0,\"timestamp\":" + t + "}")
                    .getBytes(StandardCharsets.UTF_8)));
        }
        write(bootstrap, "learn-feature-log", served);
        write(bootstrap, "learn-labels", labels);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                LocalEnvironments.streamingConfiguration(PARALLELISM, dir.resolve("checkpoints"), Duration.ofMillis(500)));
        new LearningJob(KafkaIo.raw(bootstrap, "learn-feature-log", "learn"), KafkaIo.raw(bootstrap, "learn-labels", "learn"),
                KafkaIo.drift(bootstrap, "learn-drift", "learn"), KafkaIo.deadLetters(bootstrap, "learn-dead-letters", "learn"),
                new LearningJob.Settings(reference(), Duration.ofSeconds(30), 0.0, Duration.ofSeconds(5), 500, 250, Duration.ofMinutes(1), 128))
                .build(env);
        JobClient job = env.executeAsync("learning-it");
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            List<JsonNode> reports;
            while (true) {
                reports = new ArrayList<>();
                for (var r : CommittedRecords.readAll(bootstrap, "learn-drift", Duration.ofSeconds(30))) {
                    reports.add(JSON.readTree(r.value()));
                }
                long psiWindows = reports.stream().filter(r -> r.path("statistic").asText().equals("psi") && r.path("subject").asText().equals("steady"))
                        .count();
                if (psiWindows >= 19 || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(500);
            }
            List<Double> shiftedPsi = values(reports, "psi", "shifted");
            List<Double> steadyPsi = values(reports, "psi", "steady");
            assertThat(steadyPsi).as("one PSI per minute of event time").hasSizeGreaterThanOrEqualTo(19);
            assertThat(steadyPsi).as("the steady feature stays quiet").allMatch(v -> v < 0.1);
            assertThat(shiftedPsi.subList(0, 9)).as("before the shift").allMatch(v -> v < 0.1);
            assertThat(shiftedPsi.subList(11, 19)).as("after the shift").allMatch(v -> v > 0.25);
            List<String> detectors = reports.stream().filter(r -> r.path("subject").asText().equals("error")).map(r -> r.path("statistic").asText())
                    .distinct().toList();
            assertThat(detectors).as("a detector fired on the error rate").isNotEmpty();
            List<Double> accuracy = values(reports, "accuracy", "model");
            assertThat(accuracy.get(0)).as("accuracy before").isGreaterThan(0.9);
            assertThat(accuracy.get(accuracy.size() - 1)).as("accuracy after").isLessThan(0.6);
            List<String> deadReasons = new ArrayList<>();
            for (var r : CommittedRecords.readAll(bootstrap, "learn-dead-letters", Duration.ofSeconds(30))) {
                deadReasons.add(JSON.readTree(r.value()).path("reason").asText());
            }
            assertThat(deadReasons).contains("malformed-label");
        } finally {
            job.cancel().get();
        }
    }

    private static List<Double> values(List<JsonNode> reports, String statistic, String subject) {
        return reports.stream().filter(r -> r.path("statistic").asText().equals(statistic) && r.path("subject").asText().equals(subject))
                .sorted(java.util.Comparator.comparingLong(r -> r.path("windowStart").asLong())).map(r -> r.path("value").asDouble()).toList();
    }
}
