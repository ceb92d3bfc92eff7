package io.loopline.demo;

import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.ServingJob;
import io.loopline.kafka.KafkaTopics;
import io.loopline.local.LocalKafka;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;

/**
 * The embedded demo: a real Kafka broker process (or a given cluster), a generator writing
 * synthetic transactions, the serving job in a Flink MiniCluster with RocksDB and exactly-once
 * Kafka output, and live progress read back with a read_committed consumer.
 */
public final class DemoRun {
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);

    private final DemoSettings settings;
    private final PrintStream out;
    private volatile boolean interrupted;

    public DemoRun(DemoSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    /** Ends the run early (Ctrl-C): the summary still prints. */
    public void interrupt() {
        interrupted = true;
    }

    public DemoSummary run() throws Exception {
        LocalKafka localKafka = null;
        try {
            String bootstrap = settings.bootstrapServers();
            if (bootstrap == null) {
                out.println("Starting a local Kafka broker ...");
                localKafka = LocalKafka.start();
                bootstrap = localKafka.bootstrapServers();
                out.printf("Kafka broker ready at %s (pid %d)%n", bootstrap, localKafka.pid());
            }
            return runAgainst(bootstrap);
        } finally {
            if (localKafka != null) {
                localKafka.close();
                out.println("Local Kafka broker stopped.");
            }
        }
    }

    private DemoSummary runAgainst(String bootstrap) throws Exception {
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(settings.eventsTopic(), settings.parallelism());
        topics.put(settings.predictionsTopic(), settings.parallelism());
        topics.put(settings.deadLetterTopic(), 1);
        KafkaTopics.ensure(bootstrap, topics, Duration.ofSeconds(30));
        out.printf("Topics ready: %s%n", topics.keySet());

        Path stateDir = settings.stateDir() != null ? Files.createDirectories(settings.stateDir()) : Files.createTempDirectory("loopline-demo-");
        String runId = Long.toHexString(System.currentTimeMillis());
        var job = new ServingJob(
                KafkaIo.events(bootstrap, settings.eventsTopic(), "loopline-demo-" + runId, false),
                KafkaIo.predictions(bootstrap, settings.predictionsTopic(), "loopline-demo-" + runId),
                KafkaIo.deadLetters(bootstrap, settings.deadLetterTopic(), "loopline-demo-" + runId),
                new ServingJob.Settings(TransactionSchema.schema(), settings.maxParallelism(), Duration.ofDays(7)));
        var env = LocalEnvironments.streaming(settings.parallelism(), stateDir.resolve("checkpoints"), settings.checkpointInterval());

        var generator = new TransactionGenerator(settings.seed(), settings.entities(), settings.malformedRatio(), System.currentTimeMillis());
        try (var counter = new CommittedOutputCounter(bootstrap, settings.predictionsTopic(), settings.deadLetterTopic()).start()) {
            JobClient client = job.start(env);
            out.printf("Flink job %s started (parallelism %d, RocksDB, checkpoint every %s, exactly-once sink)%n",
                    client.getJobID(), settings.parallelism(), settings.checkpointInterval());
            long startNanos = System.nanoTime();
            try (var producer = new EventProducer(bootstrap, settings.eventsTopic(), generator, settings.events(), settings.ratePerSecond()).start()) {
                DemoSummary summary = watch(client, producer, counter, startNanos);
                printSummary(summary);
                return summary;
            } finally {
                stopJob(client);
            }
        }
    }

    private DemoSummary watch(JobClient client, EventProducer producer, CommittedOutputCounter counter, long startNanos)
            throws Exception {
        long deadline = startNanos + settings.timeout().toNanos();
        long lastCommitted = 0;
        long lastNanos = startNanos;
        long lastProgressNanos = startNanos;
        long lastCommitNanos = startNanos;
        boolean complete = false;
        while (!interrupted) {
            Thread.sleep(100); // demo pacing only; completion is decided on observed counts below
            long now = System.nanoTime();
            long committed = counter.predictions() + counter.deadLetters();
            if (committed != lastCommitted) {
                lastCommitNanos = now;
            }
            if (producer.failure() != null) {
                throw new IllegalStateException("writing events to Kafka failed: " + producer.failure(), producer.failure());
            }
            JobStatus status = client.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                throw new IllegalStateException("the Flink job ended unexpectedly with status " + status);
            }
            if (producer.isDone() && settings.events() > 0 && committed >= producer.producedCount()) {
                complete = true;
                lastCommitNanos = now;
                break;
            }
            if (now - lastProgressNanos >= PROGRESS_EVERY.toNanos()) {
                double rate = (committed - lastCommitted) / ((now - lastNanos) / 1e9);
                out.printf(Locale.ROOT, "[%5.1fs] produced %,d  committed %,d predictions + %,d dead letters  %,.0f events/s%n",
                        (now - startNanos) / 1e9, producer.producedCount(), counter.predictions(), counter.deadLetters(), rate);
                lastCommitted = committed;
                lastNanos = now;
                lastProgressNanos = now;
            }
            if (now > deadline) {
                out.printf("Timeout of %s reached before every event was committed.%n", settings.timeout());
                break;
            }
        }
        double seconds = (lastCommitNanos - startNanos) / 1e9;
        long committedTotal = counter.predictions() + counter.deadLetters();
        return new DemoSummary(
                producer.producedCount(), producer.validCount(), producer.malformedCount(),
                counter.predictions(), counter.distinctPredictions(), counter.deadLetters(), counter.deadLettersByReason(),
                seconds, seconds > 0 ? committedTotal / seconds : 0, complete);
    }

    private void stopJob(JobClient client) {
        try {
            JobStatus status = client.getJobStatus().get(10, TimeUnit.SECONDS);
            if (!status.isGloballyTerminalState()) {
                client.cancel().get(60, TimeUnit.SECONDS);
            }
            out.println("Flink job stopped.");
        } catch (Exception e) {
            out.println("Could not cancel the Flink job cleanly: " + e);
        }
    }

    private void printSummary(DemoSummary s) {
        out.println();
        out.println("Loopline demo summary");
        out.printf(Locale.ROOT, "  events produced        %,d (%,d valid, %,d malformed)%n", s.produced(), s.validProduced(), s.malformedProduced());
        out.printf(Locale.ROOT, "  predictions committed  %,d (%,d distinct event ids, %,d duplicates, %,d missing)%n",
                s.committedPredictions(), s.distinctPredictions(), s.duplicates(), s.missing());
        out.printf(Locale.ROOT, "  dead letters committed %,d %s%n", s.deadLetters(), s.deadLettersByReason());
        out.printf(Locale.ROOT, "  time                   %.1f s, %,.0f events/s end to end (Kafka -> Flink -> Kafka, committed)%n",
                s.seconds(), s.eventsPerSecond());
        out.printf("  exactly-once           %s%n", s.exactlyOnce() ? "yes: every event committed once"
                : s.complete() ? "NO: see the counts above" : "not checked (run ended before all events were committed)");
    }

}
