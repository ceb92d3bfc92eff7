package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.learning.LearningJob;
import io.loopline.kafka.KafkaTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
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
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(PARALLELISM).build());

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @Test
    void aShiftedFeatureDriftsAndADetectorFiresWhileASteadyFeatureStaysQuiet(@TempDir Path dir) throws Exception {
        shiftedFeatureDriftsAndADetectorFires(dir, "learn", false);
    }

    /**
     * A job that starts (or catches up) reads the feature log far ahead of the labels: the labels must
     * still hold the join's event time, or every window closes with the default label.
     */
    @Test
    void labelsReadLongAfterTheirFeatureLogStillJoin(@TempDir Path dir) throws Exception {
        shiftedFeatureDriftsAndADetectorFires(dir, "late", true);
    }

    /**
     * One subtask reads both feature-log partitions, and one of them is far ahead in event time (as
     * after a restart, or while one partition catches up): the other's predictions must not be late
     * for their labels. Event time is therefore kept per partition in the source; with one watermark
     * per subtask the far-ahead record closed every window and the labels waiting in them were
     * rejected as unknown ids.
     */
    @Test
    void aFeatureLogPartitionFarAheadOfAnotherMakesNoLabelLate(@TempDir Path dir) throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        String prefix = "ahead";
        KafkaTopics.ensure(bootstrap, Map.of(prefix + "-feature-log", 2, prefix + "-labels", 1, prefix + "-drift", 1, prefix + "-dead-letters", 1),
                Duration.ofSeconds(30));
        int n = 6_000;
        LearningStreams data = LearningStreams.events(0, n, n, 1);
        List<LearningStreams.Keyed> push = LearningStreams.push(n, 2).featureLog;
        List<LearningStreams.Keyed> behind = new ArrayList<>();
        data.featureLog.forEach(r -> behind.add(new LearningStreams.Keyed(1, r.key(), r.value())));
        behind.add(push.get(1));
        LearningStreams.write(bootstrap, prefix + "-labels", data.labels);
        LearningStreams.write(bootstrap, prefix + "-feature-log", List.of(push.get(0)));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                LocalEnvironments.streamingConfiguration(1, dir.resolve("checkpoints"), Duration.ofMillis(500)));
        new LearningJob(KafkaIo.raw(bootstrap, prefix + "-feature-log", prefix), KafkaIo.raw(bootstrap, prefix + "-labels", prefix),
                KafkaIo.drift(bootstrap, prefix + "-drift", prefix), KafkaIo.deadLetters(bootstrap, prefix + "-dead-letters", prefix),
                LearningStreams.settings(Double.NaN, null).withLabelsIdleAfter(Duration.ofMillis(500)))
                .build(env);
        JobClient job = env.executeAsync("learning-it-" + prefix);
        try {
            // Only once the job has read every label and partition 0's far-ahead record does partition 1 get its (earlier) predictions.
            Map<TopicPartition, Long> read = Map.of(new TopicPartition(prefix + "-labels", 0), (long) data.labels.size(),
                    new TopicPartition(prefix + "-feature-log", 0), 1L);
            assertThat(Await.within(Duration.ofSeconds(60), () -> committedOffsets(bootstrap, prefix, read.keySet()).equals(read)))
                    .as("the labels and partition 0 read and committed").isTrue();
            LearningStreams.write(bootstrap, prefix + "-feature-log", behind);
            int labels = data.labels.size();
            long[] joinedAndRejected = new long[2];
            Await.within(Duration.ofSeconds(120), () -> {
                joinedAndRejected[0] = (long) values(readReports(bootstrap, prefix + "-drift"), "label_count", "model/time").stream()
                        .mapToDouble(Double::doubleValue).sum();
                joinedAndRejected[1] = CommittedRecords.readAll(bootstrap, prefix + "-dead-letters", Duration.ofSeconds(30)).size();
                return joinedAndRejected[0] + joinedAndRejected[1] >= labels;
            });
            assertThat(joinedAndRejected[1]).as("labels rejected (dead letters)").isZero();
            assertThat(joinedAndRejected[0]).as("labels joined in closed time windows").isEqualTo(labels);
        } finally {
            Await.cancelled(job);
        }
    }

    private void shiftedFeatureDriftsAndADetectorFires(Path dir, String prefix, boolean labelsAfterFeatureLog) throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        String featureLog = prefix + "-feature-log";
        String labelsTopic = prefix + "-labels";
        String driftTopic = prefix + "-drift";
        String deadLetterTopic = prefix + "-dead-letters";
        KafkaTopics.ensure(bootstrap, Map.of(featureLog, PARALLELISM, labelsTopic, PARALLELISM, driftTopic, 1, deadLetterTopic, 1),
                Duration.ofSeconds(30));
        int n = 12_000; // 20 minutes of event time, one drift window per minute
        LearningStreams data = LearningStreams.events(0, n, n / 2, PARALLELISM);
        LearningStreams push = LearningStreams.push(n, PARALLELISM);
        List<LearningStreams.Keyed> served = new ArrayList<>(data.featureLog);
        served.addAll(push.featureLog);
        List<LearningStreams.Keyed> labels = new ArrayList<>(data.labels);
        labels.add(new LearningStreams.Keyed(0, "bad".getBytes(StandardCharsets.UTF_8), "{\"eventId\":\"x\",\"label\":\"yes\"}".getBytes(StandardCharsets.UTF_8)));
        LearningStreams.write(bootstrap, featureLog, served);
        if (!labelsAfterFeatureLog) {
            LearningStreams.write(bootstrap, labelsTopic, labels);
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                LocalEnvironments.streamingConfiguration(PARALLELISM, dir.resolve("checkpoints"), Duration.ofMillis(500)));
        new LearningJob(KafkaIo.raw(bootstrap, featureLog, prefix), KafkaIo.raw(bootstrap, labelsTopic, prefix),
                KafkaIo.drift(bootstrap, driftTopic, prefix), KafkaIo.deadLetters(bootstrap, deadLetterTopic, prefix),
                LearningStreams.settings(0.0, null).withLabelsIdleAfter(Duration.ofMinutes(2)))
                .build(env);
        JobClient job = env.executeAsync("learning-it-" + prefix);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            if (labelsAfterFeatureLog) {
                // The drift statistics run on the feature log alone: once its last windows are reported, it has been read to the end.
                Await.until(Duration.ofSeconds(120), () -> steadyPsiWindows(readReports(bootstrap, driftTopic)) >= 19,
                        () -> "the feature log's drift windows");
                assertThat(values(readReports(bootstrap, driftTopic), "accuracy", "model")).as("no example before its labels were read").isEmpty();
                LearningStreams.write(bootstrap, labelsTopic, labels);
            }
            // The assertions below say what is missing when the reports are not all there by the deadline.
            Await.within(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), () -> {
                List<JsonNode> now = readReports(bootstrap, driftTopic);
                return steadyPsiWindows(now) >= 19 && (!labelsAfterFeatureLog || now.stream().anyMatch(
                        r -> r.path("subject").asText().equals("error")));
            });
            List<JsonNode> reports = readReports(bootstrap, driftTopic);
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
            for (var r : CommittedRecords.readAll(bootstrap, deadLetterTopic, Duration.ofSeconds(30))) {
                deadReasons.add(JSON.readTree(r.value()).path("reason").asText());
            }
            assertThat(deadReasons).contains("malformed-label").doesNotContain("label-late");
        } finally {
            Await.cancelled(job);
        }
    }

    private static Map<TopicPartition, Long> committedOffsets(String bootstrap, String group, java.util.Set<TopicPartition> partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, Long> offsets = new java.util.HashMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().forEach((partition, offset) -> {
                if (partitions.contains(partition) && offset != null) {
                    offsets.put(partition, offset.offset());
                }
            });
            return offsets;
        }
    }

    private static List<JsonNode> readReports(String bootstrap, String topic) throws Exception {
        List<JsonNode> reports = new ArrayList<>();
        for (var r : CommittedRecords.readAll(bootstrap, topic, Duration.ofSeconds(30))) {
            reports.add(JSON.readTree(r.value()));
        }
        return reports;
    }

    private static long steadyPsiWindows(List<JsonNode> reports) {
        return reports.stream().filter(r -> r.path("statistic").asText().equals("psi") && r.path("subject").asText().equals("steady")).count();
    }

    private static List<Double> values(List<JsonNode> reports, String statistic, String subject) {
        return reports.stream().filter(r -> r.path("statistic").asText().equals(statistic) && r.path("subject").asText().equals(subject))
                .sorted(java.util.Comparator.comparingLong(r -> r.path("windowStart").asLong())).map(r -> r.path("value").asDouble()).toList();
    }
}
