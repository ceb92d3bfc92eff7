package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.learning.LearningJob;
import io.loopline.kafka.KafkaTopics;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole monitoring path with real parts: the learning job exports through Flink's Prometheus
 * reporter, a real Prometheus server (Debian's package, started here on 127.0.0.1) scrapes it with
 * deploy/prometheus/alerts.yml loaded, and after an injected drift the detector alert fires and the
 * feature-drift and accuracy-drop alerts (whose `for:` is minutes) go pending. Once a new version
 * serves, the degraded version's accuracy alert resolves. The scraped Loopline metrics pass
 * {@code promtool check metrics}, and the Flink metrics the rules read exist under the names they use.
 */
class PrometheusAlertITCase {
    private static final int PARALLELISM = 2;
    private static final int REPORTER_PORT = freePort();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(PARALLELISM)
            .setConfiguration(prometheusReporter())
            .build());

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @BeforeAll
    static void prometheusIsInstalled() {
        Assumptions.assumeTrue(PrometheusRulesTest.onPath("prometheus"), "skipped: prometheus is not installed (apt-get install -y prometheus)");
    }

    private static Configuration prometheusReporter() {
        Configuration conf = new Configuration();
        conf.setString("metrics.reporters", "prom");
        conf.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.port", String.valueOf(REPORTER_PORT));
        return conf;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anInjectedDriftFiresTheDetectorAlertInARealPrometheus(@TempDir Path dir) throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        KafkaTopics.ensure(bootstrap, Map.of("prom-feature-log", PARALLELISM, "prom-labels", PARALLELISM, "prom-drift", 1, "prom-dead-letters", 1),
                Duration.ofSeconds(30));
        int n = 12_000;
        LearningStreams before = LearningStreams.events(0, n / 2, n / 2, PARALLELISM);
        LearningStreams.write(bootstrap, "prom-feature-log", before.featureLog);
        LearningStreams.write(bootstrap, "prom-labels", before.labels);

        // The served model's metadata: its validation accuracy is the reference the accuracy-drop alert compares with.
        String storeRoot = dir.resolve("models").toUri().toString();
        new io.loopline.state.model.FileSystemModelStore(new org.apache.flink.core.fs.Path(storeRoot)).publish(new io.loopline.state.model.ModelDraft(
                "fraud", null, "test", "synthetic", java.util.List.of("steady", "shifted"), null, null, 1000, Map.of("validation.accuracy", 0.95)),
                new byte[] {1, 2, 3});
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                LocalEnvironments.streamingConfiguration(PARALLELISM, dir.resolve("checkpoints"), Duration.ofSeconds(1)));
        new LearningJob(KafkaIo.raw(bootstrap, "prom-feature-log", "prom"), KafkaIo.raw(bootstrap, "prom-labels", "prom"),
                KafkaIo.drift(bootstrap, "prom-drift", "prom"), KafkaIo.deadLetters(bootstrap, "prom-dead-letters", "prom"),
                LearningStreams.settings(0.0, () -> new io.loopline.state.model.FileSystemModelStore(new org.apache.flink.core.fs.Path(storeRoot))))
                .build(env);
        JobClient job = env.executeAsync("learning-prometheus-it");
        int prometheusPort = freePort();
        Process prometheus = PrometheusServer.start(dir, prometheusPort, java.util.List.of("127.0.0.1:" + REPORTER_PORT));
        try {
            String base = "http://127.0.0.1:" + prometheusPort;
            String detections = "flink_taskmanager_job_task_operator_loopline_detector_model_version_drift_detected";
            // Before the drift: the detector counters exist (at 0) and Prometheus has scraped them.
            PrometheusServer.awaitQuery(base, detections, result -> result.size() >= 3, Duration.ofSeconds(90));
            assertThat(PrometheusServer.alerts(base, "LooplineDriftDetectorFired")).as("quiet before the drift").isEmpty();

            LearningStreams after = LearningStreams.events(n / 2, n, n / 2, PARALLELISM);
            LearningStreams push = LearningStreams.push(n, PARALLELISM);
            LearningStreams.write(bootstrap, "prom-feature-log", after.featureLog);
            LearningStreams.write(bootstrap, "prom-labels", after.labels);
            LearningStreams.write(bootstrap, "prom-feature-log", push.featureLog);

            PrometheusServer.awaitAlert(base, "LooplineDriftDetectorFired", "firing", Duration.ofSeconds(90));
            PrometheusServer.awaitAlert(base, "LooplineFeatureDriftHigh", "pending", Duration.ofSeconds(60));
            PrometheusServer.awaitQuery(base, "flink_taskmanager_job_task_operator_loopline_model_version_reference_accuracy",
                    result -> result.size() == 1 && result.get(0).path("value").get(1).asDouble() == 0.95, Duration.ofSeconds(30));
            PrometheusServer.awaitAlert(base, "LooplineAccuracyDrop", "pending", Duration.ofSeconds(60));
            JsonNode featureAlert = PrometheusServer.alerts(base, "LooplineFeatureDriftHigh").get(0);
            assertThat(featureAlert.path("labels").path("feature").asText()).isEqualTo("shifted");
            assertThat(PrometheusServer.alerts(base, "LooplineAccuracyDrop")).extracting(a -> a.path("labels").path("model_version").asText())
                    .containsExactly("1");

            // v2 takes over (after the far-future push, so v1's last window is behind it) and serves for four minutes of event time.
            int v2From = n + 6_600;
            int v2To = v2From + 2_400;
            LearningStreams v2 = LearningStreams.events(v2From, v2To, v2To, PARALLELISM, 2, 0.05);
            LearningStreams.write(bootstrap, "prom-feature-log", v2.featureLog);
            LearningStreams.write(bootstrap, "prom-labels", v2.labels);
            LearningStreams.write(bootstrap, "prom-feature-log", LearningStreams.push(v2To, PARALLELISM, 2).featureLog);
            String serving = "flink_taskmanager_job_task_operator_loopline_model_version_serving";
            PrometheusServer.awaitQuery(base, serving + "{model_version=\"1\"} == 0", result -> result.size() == 1, Duration.ofSeconds(90));
            PrometheusServer.awaitQuery(base, serving + "{model_version=\"2\"} == 1", result -> result.size() == 1, Duration.ofSeconds(30));
            PrometheusServer.awaitNoAlert(base, "LooplineAccuracyDrop", Duration.ofSeconds(30));

            String scrape = PrometheusServer.scrape("http://127.0.0.1:" + REPORTER_PORT + "/metrics");
            for (String used : java.util.List.of("flink_jobmanager_job_numRestarts", "flink_jobmanager_job_lastCheckpointDuration",
                    "flink_jobmanager_job_numberOfFailedCheckpoints", "flink_taskmanager_job_task_backPressuredTimeMsPerSecond",
                    "flink_taskmanager_job_task_operator_pendingRecords", "flink_taskmanager_job_task_operator_loopline_labels_joined",
                    "flink_taskmanager_job_task_operator_loopline_model_version_accuracy")) {
                assertThat(scrape).as("the alert rules read " + used).contains("\n" + used + "{");
            }
            assertThat(PrometheusServer.checkMetrics(dir, scrape, "_loopline_")).as("promtool check metrics on the Loopline metrics of a real scrape")
                    .isEmpty();
        } finally {
            prometheus.destroy();
            prometheus.waitFor();
            Await.cancelled(job);
        }
    }

}
