package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.cli.SpecLoader;
import io.loopline.cluster.JobSubmitter;
import io.loopline.cluster.LocalFlinkCluster;
import io.loopline.demo.TransactionGenerator;
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
import java.util.Set;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Breaks things on purpose while the serving and learning jobs run on the standalone cluster: the
 * TaskManager process is SIGKILLed mid-stream and right after a new model version is announced, and
 * the Kafka broker is stopped and started again mid-stream. A replacement TaskManager is started
 * each time; nothing else helps the jobs. Afterwards a read_committed consumer must find every event
 * id in {@code predictions} exactly once.
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
        LocalKafka.Settings brokerSettings = LocalKafka.Settings.defaults().withDataDir(dir.resolve("kafka")).withBrokerPort(freePort())
                .withControllerPort(freePort());
        LocalKafka kafka = LocalKafka.start(brokerSettings);
        LocalFlinkCluster cluster = new LocalFlinkCluster(ROOT.resolve("deploy/flink-conf"), Path.of("target", "fault-injection-cluster"),
                LocalFlinkCluster.launcherClasspath(ROOT.resolve("jobs/target/lib")));
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
            submitter.cancel(job);
        } finally {
            cluster.stop();
            kafka.close();
        }
    }

    private static long predictions;

    private static void send(String bootstrap, TransactionGenerator generator, Set<String> sent) throws Exception {
        List<TransactionGenerator.Generated> batch = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            batch.add(generator.next());
        }
        TestProducer.write(bootstrap, "events", batch);
        batch.forEach(g -> sent.add(g.eventId()));
    }

    /** Committed predictions by event id, once every one of the {@code n} sent has one. */
    private static Map<String, Long> awaitPredictions(String bootstrap, int n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, Long> versions = new HashMap<>();
            long records = 0;
            for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.readAll(bootstrap, "predictions", Duration.ofSeconds(60))) {
                versions.put(JSON.readTree(r.value()).path("eventId").asText(), JSON.readTree(r.value()).path("modelVersion").asLong());
                records++;
            }
            if (versions.size() >= n) {
                predictions = records;
                return versions;
            }
            assertThat(System.nanoTime()).as("%d of %d predictions committed", versions.size(), n).isLessThan(deadline);
            Thread.sleep(1000); // polling the committed output
        }
    }
}
