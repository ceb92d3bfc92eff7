package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.jobs.config.SpecLoader;
import io.loopline.cluster.JobSubmitter;
import io.loopline.cluster.LocalFlinkCluster;
import io.loopline.synthetic.TransactionGenerator;
import io.loopline.io.EventSources;
import io.loopline.io.InputFormat;
import io.loopline.jobs.backfill.BackfillJob;
import io.loopline.jobs.backfill.BackfillProgress;
import io.loopline.jobs.training.InitialTraining;
import io.loopline.kafka.KafkaTopics;
import io.loopline.kafka.ModelAnnouncements;
import io.loopline.operators.features.ProfileAccumulator;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.FileSystemModelStore;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar on a real standalone Flink cluster (JobManager and TaskManager in their own JVMs,
 * deploy/flink-conf/config.yaml) reading and writing a real broker: the serving and learning jobs
 * are submitted as `flink run` does, predictions and reports arrive; then the serving job is stopped
 * with a savepoint, events arrive while it is down, and a resubmission from the savepoint at twice
 * the parallelism (an upgrade and a rescale) serves them: no event lost or scored twice, and the
 * restored job serves the same model version without a new announcement.
 */
class StandaloneClusterITCase {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @TempDir
    static Path dir;
    private static LocalFlinkCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        // Logs stay in target/ for a failed run.
        cluster = new LocalFlinkCluster(ROOT.resolve("deploy/flink-conf"), Path.of("target", "standalone-cluster"),
                LocalFlinkCluster.launcherClasspath(ROOT.resolve("cli/target/lib")));
        long start = System.nanoTime();
        cluster.start(Duration.ofSeconds(120));
        System.out.printf("cluster up in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.stop();
        }
    }

    private static List<TransactionGenerator.Generated> generate(TransactionGenerator generator, int n) {
        List<TransactionGenerator.Generated> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(generator.next());
        }
        return events;
    }

    @Test
    void jobsRunOnTheClusterAndSurviveAnUpgradeFromASavepoint() throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        var spec = SpecLoader.load("transactions");
        // History, profile and v1, as an operator prepares them before the first submission.
        Path history = dir.resolve("history.jsonl");
        var historyGenerator = new TransactionGenerator(5, 500, 0, 1_700_000_000_000L, true);
        List<String> lines = new ArrayList<>();
        for (TransactionGenerator.Generated g : generate(historyGenerator, 5000)) {
            lines.add(new String(g.value(), StandardCharsets.UTF_8));
        }
        Files.write(history, lines);
        Path backfill = dir.resolve("backfill");
        new BackfillJob(EventSources.files(List.of(new org.apache.flink.core.fs.Path(history.toUri())), InputFormat.JSONL, spec.csv()), spec,
                new org.apache.flink.core.fs.Path(backfill.toUri()), new BackfillJob.Settings(1, 128, ProfileAccumulator.DEFAULT_BINS, true))
                .run(BackfillProgress.NONE);
        String storeRoot = dir.resolve("models").toUri().toString();
        var store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(storeRoot));
        var v1 = new InitialTraining(spec, new NetworkSettings(List.of(8), "relu", 0.01, 0, 1, 128, 1), 0.2)
                .run(new org.apache.flink.core.fs.Path(backfill.resolve(BackfillJob.TRAINING_DIR).toUri()), store, "fraud").model();
        KafkaTopics.ensure(bootstrap, Map.of("models", 1), Set.of("models"), Duration.ofSeconds(30));
        ModelAnnouncements.announce(bootstrap, "models", store, v1);

        Path serving = dir.resolve("serving.properties");
        Files.writeString(serving, String.join("\n", "bootstrap.servers=" + bootstrap, "spec=transactions",
                "profile=" + backfill.resolve(BackfillJob.PROFILE_FILE).toUri(), "model.name=fraud", "model.store=" + storeRoot,
                "group.id=cluster-it", "scoring.max-batch-delay=10ms"));
        Path learning = dir.resolve("learning.properties");
        Files.writeString(learning, String.join("\n", "bootstrap.servers=" + bootstrap, "profile=" + backfill.resolve(BackfillJob.PROFILE_FILE).toUri(),
                "model.store=" + storeRoot, "group.id=cluster-it-learning", "learning.feedback-window=5s", "learning.default-label=0",
                "learning.evaluation-window=200", "learning.evaluation-slide=100", "retrain.mode=off"));

        File jar = ROOT.resolve("jobs/target/loopline-jobs-job.jar").toFile();
        assertThat(jar).as("mvn package builds the job jar").isFile();
        var submitter = new JobSubmitter(cluster.configuration(), "127.0.0.1", 8081);
        long submitStart = System.nanoTime();
        JobID servingJob = submitter.submit(jar, "io.loopline.jobs.ServingJob", List.of("--config", serving.toString()), null, 1);
        double submitSeconds = (System.nanoTime() - submitStart) / 1e9;
        JobID learningJob = submitter.submit(jar, "io.loopline.jobs.learning.LearningJob", List.of("--config", learning.toString()), null, 1);

        var live = new TransactionGenerator(6, 500, 0, 1_700_000_600_000L);
        List<TransactionGenerator.Generated> before = generate(live, 2000);
        long produceStart = System.nanoTime();
        TestProducer.write(bootstrap, "events", before);
        writeLabels(bootstrap, before, 0);
        awaitPredictions(bootstrap, 1, Duration.ofMinutes(1));
        double firstSeconds = (System.nanoTime() - produceStart) / 1e9;
        Map<String, Long> predicted = awaitPredictions(bootstrap, 2000, Duration.ofMinutes(1));
        System.out.printf("submission %.1f s; first prediction committed %.1f s and all 2000 %.1f s after the events were written"
                + " (exactly-once: committed at checkpoints, every 10 s)%n", submitSeconds, firstSeconds, (System.nanoTime() - produceStart) / 1e9);
        assertThat(predicted.values()).containsOnly(1L);

        awaitReports(bootstrap, Duration.ofMinutes(2));
        assertThat(submitter.status(learningJob)).isEqualTo(JobStatus.RUNNING);

        // Prometheus scrapes the cluster's reporters (config.yaml: 9250-9260) with the alert rules loaded.
        Process prometheus = null;
        String prometheusBase = null;
        if (PrometheusRulesTest.onPath("prometheus")) {
            int port = 19090;
            prometheus = PrometheusServer.start(dir, port, List.of("127.0.0.1:9250", "127.0.0.1:9251", "127.0.0.1:9252", "127.0.0.1:9253"));
            prometheusBase = "http://127.0.0.1:" + port;
            PrometheusServer.awaitQuery(prometheusBase, "flink_taskmanager_job_task_operator_loopline_events_scored",
                    result -> result.size() >= 1 && result.get(0).path("value").get(1).asDouble() >= 2000, Duration.ofSeconds(60));
            PrometheusServer.awaitQuery(prometheusBase, "flink_taskmanager_job_task_operator_loopline_detector_model_version_drift_detected",
                    result -> result.size() >= 3, Duration.ofSeconds(60));
            assertThat(PrometheusServer.alerts(prometheusBase, "LooplineDriftDetectorFired")).as("quiet before the drift").isEmpty();
        } else {
            System.out.println("Prometheus part skipped: prometheus is not installed (apt-get install -y prometheus)");
        }

        String savepoint = submitter.stopWithSavepoint(servingJob, dir.resolve("savepoints").toUri().toString());
        long savepointBytes = sizeOf(Path.of(java.net.URI.create(savepoint.startsWith("file:") ? savepoint : "file://" + savepoint)));
        System.out.printf("savepoint %s: %,d bytes%n", savepoint, savepointBytes);
        assertThat(savepointBytes).isPositive();

        List<TransactionGenerator.Generated> whileDown = generate(live, 2000);
        TestProducer.write(bootstrap, "events", whileDown);
        writeLabels(bootstrap, whileDown, 1); // injected drift: from now on every event turns out fraudulent
        JobID upgraded = submitter.submit(jar, "io.loopline.jobs.ServingJob", List.of("--config", serving.toString()), savepoint, 2);
        Map<String, Long> all = awaitPredictions(bootstrap, 4000, Duration.ofMinutes(3));
        Set<String> expected = new HashSet<>();
        before.forEach(g -> expected.add(g.eventId()));
        whileDown.forEach(g -> expected.add(g.eventId()));
        assertThat(all.keySet()).as("every event scored, none lost across the upgrade").isEqualTo(expected);
        assertThat(duplicates).as("none scored twice").isZero();
        assertThat(all.values()).as("the restored job serves v1 from its state").containsOnly(1L);
        assertThat(submitter.status(upgraded)).isEqualTo(JobStatus.RUNNING);
        if (prometheus != null) {
            try {
                PrometheusServer.awaitAlert(prometheusBase, "LooplineDriftDetectorFired", "firing", Duration.ofSeconds(120));
            } finally {
                prometheus.destroy();
                prometheus.waitFor();
            }
        }
        submitter.cancel(upgraded);
        submitter.cancel(learningJob);
    }

    private static long duplicates;

    private static void writeLabels(String bootstrap, List<TransactionGenerator.Generated> events, int value) throws Exception {
        KafkaTopics.ensure(bootstrap, Map.of("labels", 2), Duration.ofSeconds(30));
        var props = new java.util.Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
        props.put("value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(props)) {
            for (TransactionGenerator.Generated g : events) {
                String label = "{\"eventId\":\"" + g.eventId() + "\",\"label\":" + value + ",\"timestamp\":" + (g.timestamp() + 1000) + "}";
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("labels", g.eventId().getBytes(StandardCharsets.UTF_8),
                        label.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    /** Committed predictions by event id (their model version), once at least {@code n} distinct ids are there. */
    private static Map<String, Long> awaitPredictions(String bootstrap, int n, Duration timeout) throws Exception {
        int[] seen = new int[1];
        return Await.result(timeout, Duration.ofMillis(500), () -> {
            Map<String, Long> versions = new HashMap<>();
            long records = 0;
            for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.readAll(bootstrap, "predictions", Duration.ofSeconds(30))) {
                JsonNode p = JSON.readTree(r.value());
                versions.put(p.path("eventId").asText(), p.path("modelVersion").asLong());
                records++;
            }
            seen[0] = versions.size();
            if (versions.size() < n) {
                return Optional.empty();
            }
            duplicates = records - versions.size();
            return Optional.of(versions);
        }, () -> {
            Map<String, Long> reasons = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.readAll(bootstrap, "dead-letters", Duration.ofSeconds(30))) {
                reasons.merge(JSON.readTree(r.value()).path("reason").asText(), 1L, Long::sum);
            }
            long features = CommittedRecords.readAll(bootstrap, "feature-log", Duration.ofSeconds(30)).size();
            return seen[0] + " of " + n + " predictions committed; feature log " + features + ", dead letters " + reasons;
        });
    }

    /** Waits until the learning job on the cluster has evaluated the served model (an accuracy report). */
    private static void awaitReports(String bootstrap, Duration timeout) throws Exception {
        Await.result(timeout, Duration.ofMillis(500), () -> {
            long accuracy = CommittedRecords.readAll(bootstrap, "drift", Duration.ofSeconds(30)).stream()
                    .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains("\"statistic\":\"accuracy\"")).count();
            return accuracy > 0 ? Optional.of(accuracy) : Optional.empty();
        }, () -> "the learning job on the cluster evaluated the served model: no accuracy report on the drift topic");
    }

    private static long sizeOf(Path path) throws Exception {
        try (var files = Files.walk(path)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
