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
                new LearningJob.Settings(LearningStreams.reference(), Duration.ofSeconds(30), 0.0, Duration.ofSeconds(5), 500, 250, Duration.ofMinutes(1), 128)
                        .withLabelsIdleAfter(Duration.ofMinutes(2)))
                .build(env);
        JobClient job = env.executeAsync("learning-it-" + prefix);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            if (labelsAfterFeatureLog) {
                // The drift statistics run on the feature log alone: once its last windows are reported, it has been read to the end.
                while (steadyPsiWindows(readReports(bootstrap, driftTopic)) < 19) {
                    assertThat(System.nanoTime()).as("the feature log's drift windows within 120 s").isLessThan(deadline);
                    Thread.sleep(200);
                }
                assertThat(values(readReports(bootstrap, driftTopic), "accuracy", "model")).as("no example before its labels were read").isEmpty();
                LearningStreams.write(bootstrap, labelsTopic, labels);
            }
            List<JsonNode> reports;
            while (true) {
                reports = readReports(bootstrap, driftTopic);
                boolean done = steadyPsiWindows(reports) >= 19 && (!labelsAfterFeatureLog || reports.stream().anyMatch(
                        r -> r.path("subject").asText().equals("error")));
                if (done || System.nanoTime() > deadline) {
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
            for (var r : CommittedRecords.readAll(bootstrap, deadLetterTopic, Duration.ofSeconds(30))) {
                deadReasons.add(JSON.readTree(r.value()).path("reason").asText());
            }
            assertThat(deadReasons).contains("malformed-label").doesNotContain("label-late");
        } finally {
            job.cancel().get();
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
