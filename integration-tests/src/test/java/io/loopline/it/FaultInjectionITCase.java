package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.loopline.local.LocalKafka;
import io.loopline.operators.features.ProfileAccumulator;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.model.ModelMetadata;
import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Breaks things on purpose while the serving and learning jobs run on the standalone cluster: the
 * TaskManager process is SIGKILLed mid-stream and right after a new model version is announced, and
 * the Kafka broker is stopped and started again mid-stream. A replacement TaskManager is started
 * each time; nothing else helps the jobs. The learning job runs beside it, fine-tuning the model
 * every 2,500 labelled examples, and the TaskManager is also killed while a fine-tuning is in
 * progress. Afterwards read_committed consumers must find every event id in {@code predictions}
 * exactly once, every label joined exactly once in the learning job's evaluation windows, every
 * fine-tuning that started decided exactly once, and no challenger published twice.
 */
class FaultInjectionITCase {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 3000;

    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private record Fault(String name, int injected) {}

    @Test
    void everyEventIsScoredExactlyOnceThroughTaskManagerKillsAndABrokerRestart() throws Exception {
        labelsSent = 0;
        lastEventTime = 0;
        LocalKafka.Settings brokerSettings = LocalKafka.Settings.defaults().withDataDir(dir.resolve("kafka")).withBrokerPort(freePort())
                .withControllerPort(freePort());
        LocalKafka kafka = LocalKafka.start(brokerSettings);
        LocalFlinkCluster cluster = new LocalFlinkCluster(ROOT.resolve("deploy/flink-conf"), Path.of("target", "fault-injection-cluster"),
                LocalFlinkCluster.launcherClasspath(ROOT.resolve("cli/target/lib")));
        cluster.start(Duration.ofSeconds(120));
        Map<String, Integer> faults = new LinkedHashMap<>();
        try {
            String bootstrap = kafka.bootstrapServers();
            var spec = SpecLoader.load("transactions");
            Path history = dir.resolve("history.jsonl");
            var historyGenerator = new TransactionGenerator(5, 500, 0, 1_700_000_000_000L, true);
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 5000; i++) {
                lines.add(new String(historyGenerator.next().value(), StandardCharsets.UTF_8));
            }
            Files.write(history, lines);
            Path backfill = dir.resolve("backfill");
            new BackfillJob(EventSources.files(List.of(new org.apache.flink.core.fs.Path(history.toUri())), InputFormat.JSONL, spec.csv()), spec,
                    new org.apache.flink.core.fs.Path(backfill.toUri()), new BackfillJob.Settings(1, 128, ProfileAccumulator.DEFAULT_BINS, true))
                    .run(BackfillProgress.NONE);
            String storeRoot = dir.resolve("models").toUri().toString();
            var store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(storeRoot));
            var training = new org.apache.flink.core.fs.Path(backfill.resolve(BackfillJob.TRAINING_DIR).toUri());
            ModelMetadata v1 = new InitialTraining(spec, new NetworkSettings(List.of(8), "relu", 0.01, 0, 1, 128, 1), 0.2).run(training, store, "fraud")
                    .model();
            ModelMetadata v2 = new InitialTraining(spec, new NetworkSettings(List.of(8), "relu", 0.01, 0, 2, 128, 2), 0.2)
                    .run(training, store, "fraud", v1).model();
            KafkaTopics.ensure(bootstrap, Map.of("models", 1), Set.of("models"), Duration.ofSeconds(30));
            ModelAnnouncements.announce(bootstrap, "models", store, v1);

            Path serving = dir.resolve("serving.properties");
            Files.writeString(serving, String.join("\n", "bootstrap.servers=" + bootstrap, "spec=transactions",
                    "profile=" + backfill.resolve(BackfillJob.PROFILE_FILE).toUri(), "model.name=fraud", "model.store=" + storeRoot,
                    "group.id=faults", "scoring.max-batch-delay=10ms"));
            File jar = ROOT.resolve("jobs/target/loopline-jobs-job.jar").toFile();
            var submitter = new JobSubmitter(cluster.configuration(), "127.0.0.1", 8081);
            JobID job = submitter.submit(jar, "io.loopline.jobs.ServingJob", List.of("--config", serving.toString()), null, 2);

            // The learning job beside it: joins labels, evaluates, and fine-tunes the model every 2,500 new labelled examples
            // once 22,000 are buffered (after the swap to v2 below, so the trainer's versions come after it).
            Path learning = dir.resolve("learning.properties");
            Files.writeString(learning, String.join("\n", "bootstrap.servers=" + bootstrap,
                    "profile=" + backfill.resolve(BackfillJob.PROFILE_FILE).toUri(), "model.name=fraud", "model.store=" + storeRoot,
                    "group.id=faults-learning", "retrain.mode=stateful", "retrain.every-examples=2500", "retrain.cooldown=0s",
                    "retrain.min-examples=22000", "retrain.buffer-size=25000", "retrain.max-retrains=100", "retrain.decay-margin=1",
                    // Every challenger that is not worse goes live: versions are published and swapped in during the faults too.
                    "gate.margin=-1", "gate.guard-tolerance=10"));
            JobID learningJob = submitter.submit(jar, "io.loopline.jobs.learning.LearningJob", List.of("--config", learning.toString()), null, 1);

            var live = new TransactionGenerator(6, 500, 0, 1_700_000_600_000L);
            Set<String> sent = new HashSet<>();
            // 1. mid-stream: the TaskManager dies while a batch is being processed
            send(bootstrap, live, sent);
            cluster.killAndReplaceTaskManager(Duration.ofSeconds(60));
            faults.merge("TaskManager killed mid-stream", 1, Integer::sum);
            send(bootstrap, live, sent);
            awaitPredictions(bootstrap, sent.size(), Duration.ofMinutes(3));
            // 2. during a model swap: v2 announced, the TaskManager killed right after
            ModelAnnouncements.announce(bootstrap, "models", store, v2);
            send(bootstrap, live, sent);
            cluster.killAndReplaceTaskManager(Duration.ofSeconds(60));
            faults.merge("TaskManager killed during a model swap", 1, Integer::sum);
            send(bootstrap, live, sent);
            awaitPredictions(bootstrap, sent.size(), Duration.ofMinutes(3));
            // 3. the broker goes away and comes back (same port, same data)
            send(bootstrap, live, sent);
            kafka.close();
            kafka = LocalKafka.start(brokerSettings);
            faults.merge("Kafka broker restarted", 1, Integer::sum);
            send(bootstrap, live, sent);
            // 4. once more mid-stream
            cluster.killAndReplaceTaskManager(Duration.ofSeconds(60));
            faults.merge("TaskManager killed mid-stream", 1, Integer::sum);
            send(bootstrap, live, sent);

            // 5. during training: wait for the trainer to report a fine-tuning in progress, then kill
            boolean fineTuning = false;
            for (int attempt = 0; attempt < 20 && !fineTuning; attempt++) {
                send(bootstrap, live, sent); // 3,000 more labelled examples: a fine-tuning is due
                // a fine-tuning lasts about a second: the reporter is polled often so it is not missed
                fineTuning = Await.within(Duration.ofSeconds(10), Duration.ofMillis(50),
                        () -> TaskManagerMetrics.anyEquals("loopline_training_in_progress", 1.0));
            }
            assertThat(fineTuning).as("a fine-tuning was seen in progress").isTrue();
            cluster.killAndReplaceTaskManager(Duration.ofSeconds(60));
            faults.merge("TaskManager killed during training", 1, Integer::sum);
            send(bootstrap, live, sent);

            Map<String, Long> versions = awaitPredictions(bootstrap, sent.size(), Duration.ofMinutes(4));
            System.out.printf("%-40s %8s %10s %12s %6s %10s%n", "fault", "times", "events in", "predictions", "lost", "duplicated");
            faults.forEach((fault, times) -> System.out.printf("%-40s %8d%n", fault, times));
            Set<String> lost = new HashSet<>(sent);
            lost.removeAll(versions.keySet());
            System.out.printf("%-40s %8d %,10d %,12d %6d %10d%n", "all of the above", faults.values().stream().mapToInt(Integer::intValue).sum(),
                    sent.size(), predictions, lost.size(), predictions - versions.size());
            assertThat(lost).as("no event lost").isEmpty();
            assertThat(predictions - versions.size()).as("no event scored twice").isZero();
            assertThat(versions.keySet()).isEqualTo(sent);
            assertThat(new HashSet<>(versions.values())).as("v2 took over after the swap").contains(1L, 2L);
            // The learning job: every fine-tuning that started ended exactly once (the one interrupted resumed from its
            // checkpointed state), no version was published twice, and every label was joined once.
            pushWatermarks(bootstrap);
            long labelsJoined = awaitLearning(bootstrap, labelsSent, Duration.ofMinutes(4));
            Map<Double, Long> publishedPerChallenger = new HashMap<>();
            for (ModelMetadata m : store.versions("fraud")) {
                Double challenger = m.metrics().get("challenger.id");
                if (challenger != null) {
                    publishedPerChallenger.merge(challenger, 1L, Long::sum);
                }
            }
            System.out.printf("learning job: %d labels sent, %d joined, %d fine-tunings triggered and finished, %d versions published%n",
                    labelsSent, labelsJoined, trainings, publishedPerChallenger.size());
            assertThat(publishedPerChallenger).as("challengers published").isNotEmpty();
            assertThat(publishedPerChallenger.values()).as("no challenger published twice").allMatch(n -> n == 1);
            assertThat(labelsJoined).as("every label joined exactly once").isEqualTo(labelsSent);
            submitter.cancel(learningJob);
            submitter.cancel(job);
        } finally {
            cluster.stop();
            kafka.close();
        }
    }

    private static long predictions;
    private static long labelsSent;
    private static long lastEventTime;
    private static long trainings;

    /** Events far later than everything sent, without labels: the learning job's watermark passes every evaluation window. */
    private static void pushWatermarks(String bootstrap) throws Exception {
        var later = new TransactionGenerator(8, 500, 0, lastEventTime + Duration.ofHours(2).toMillis());
        List<TransactionGenerator.Generated> batch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            batch.add(later.next());
        }
        TestProducer.write(bootstrap, "events", batch);
    }

    /**
     * Waits until the drift topic's closed event-time windows hold {@code labels} joined examples and
     * every triggered fine-tuning has its outcome; returns the joined count. Fails once {@code timeout}
     * passes without any progress.
     */
    private static long awaitLearning(String bootstrap, long labels, Duration timeout) throws Exception {
        long[] seen = new long[3]; // joined, triggered, decided
        return Await.resultWhileProgressing(timeout, Duration.ofSeconds(1), () -> {
            long joined = 0;
            long triggered = 0;
            long decided = 0;
            for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.readAll(bootstrap, "drift", Duration.ofSeconds(60))) {
                var node = JSON.readTree(r.value());
                String statistic = node.path("statistic").asText();
                if (statistic.equals("label_count") && node.path("subject").asText().endsWith("/time")) {
                    joined += (long) node.path("value").asDouble();
                } else if (statistic.equals("retrain_triggered")) {
                    triggered++;
                } else if (statistic.equals("challenger_promoted") || statistic.equals("challenger_rejected")) {
                    decided++;
                }
            }
            seen[0] = joined;
            seen[1] = triggered;
            seen[2] = decided;
            if (joined >= labels && triggered > 0 && triggered == decided) {
                trainings = triggered;
                return Optional.of(joined);
            }
            return Optional.empty();
        }, () -> seen[0] + "/" + seen[1] + "/" + seen[2], // a busy machine is slow, not stuck
                () -> String.format("%d of %d labels joined, %d of %d fine-tunings decided; dead letters: %s",
                        seen[0], labels, seen[2], seen[1], deadLetterReasons(bootstrap)));
    }

    private static void send(String bootstrap, TransactionGenerator generator, Set<String> sent) throws Exception {
        List<TransactionGenerator.Generated> batch = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            batch.add(generator.next());
        }
        TestProducer.write(bootstrap, "events", batch);
        batch.forEach(g -> sent.add(g.eventId()));
        LearningStreams.write(bootstrap, "labels", batch.stream().map(g -> new LearningStreams.Keyed(-1, g.eventId().getBytes(StandardCharsets.UTF_8),
                ("{\"eventId\":\"" + g.eventId() + "\",\"label\":" + g.fraudLabel() + ",\"timestamp\":" + (g.timestamp() + 1000) + "}")
                        .getBytes(StandardCharsets.UTF_8))).toList());
        labelsSent += batch.size();
        batch.forEach(g -> lastEventTime = Math.max(lastEventTime, g.timestamp()));
    }

    /** Committed dead letters (serving and learning) counted by reason and digit-free detail. */
    private static Map<String, Long> deadLetterReasons(String bootstrap) throws Exception {
        Map<String, Long> reasons = new java.util.TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.readAll(bootstrap, "dead-letters", Duration.ofSeconds(60))) {
            var node = JSON.readTree(r.value());
            reasons.merge(node.path("reason").asText() + ": " + node.path("detail").asText().replaceAll("[0-9]", "#"), 1L, Long::sum);
        }
        return reasons;
    }

    /** Committed predictions by event id, once every one of the {@code n} sent has one. */
    private static Map<String, Long> awaitPredictions(String bootstrap, int n, Duration timeout) throws Exception {
        int[] seen = new int[1];
        return Await.result(timeout, Duration.ofSeconds(1), () -> {
            Map<String, Long> versions = new HashMap<>();
            long records = 0;
            for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.readAll(bootstrap, "predictions", Duration.ofSeconds(60))) {
                versions.put(JSON.readTree(r.value()).path("eventId").asText(), JSON.readTree(r.value()).path("modelVersion").asLong());
                records++;
            }
            seen[0] = versions.size();
            if (versions.size() < n) {
                return Optional.empty();
            }
            predictions = records;
            return Optional.of(versions);
        }, () -> seen[0] + " of " + n + " predictions committed; dead letters: " + deadLetterReasons(bootstrap));
    }
}
