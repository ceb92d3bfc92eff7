package io.loopline.cli;

import io.loopline.demo.DemoRun;
import io.loopline.demo.DemoSettings;
import io.loopline.demo.DemoSummary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import io.loopline.jobs.config.KafkaOptions;
import io.loopline.jobs.config.ServingOptions;
import io.loopline.kafka.PredictionDelivery;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs Loopline end to end on this machine: backfills labelled synthetic history with the"
                    + " feature spec 'transactions' (Flink BATCH: training set + reference profile), then"
                    + " starts a real Kafka broker process (unless --bootstrap-servers is given), writes live"
                    + " transactions into the events topic and serves their features with the same definition"
                    + " in an embedded Flink MiniCluster (STREAMING, RocksDB state, checkpoints, exactly-once"
                    + " Kafka sink). Prints live progress and a summary checked with a read_committed consumer,"
                    + " then stops everything.",
        },
        sortOptions = false)
final class DemoCommand implements Callable<Integer> {
    /** The settings that differ here from the jobs' defaults: predictions are readable within milliseconds. */
    static final Configuration DEFAULTS = new Configuration().set(ServingOptions.PREDICTIONS_DELIVERY, PredictionDelivery.AT_LEAST_ONCE.key())
            .set(CoreOptions.DEFAULT_PARALLELISM, 2).set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;
    @Option(names = "--history", defaultValue = "100000",
            description = "Labelled historic events to backfill (BATCH) before serving (default: ${DEFAULT-VALUE}).")
    long history;

    @Option(names = "--events", defaultValue = "200000",
            description = "Live events to generate (default: ${DEFAULT-VALUE}); 0 runs until Ctrl-C.")
    long events;

    @Option(names = "--rate", defaultValue = "2500",
            description = "Events per second to generate; 0 is as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--entities", defaultValue = "10000",
            description = "Distinct cards (entities) in the stream (default: ${DEFAULT-VALUE}).")
    int entities;

    @Option(names = "--malformed-ratio", defaultValue = "0.001",
            description = "Share of deliberately malformed events, which must end in the dead-letter topic (default: ${DEFAULT-VALUE}).")
    double malformedRatio;

    @Option(names = "--seed", defaultValue = "42", description = "Generator seed: the same seed gives the same stream (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--timeout", defaultValue = "10min",
            description = "Stop after this long even if not every event is committed (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--state-dir",
            description = "Folder for checkpoints (default: a temporary folder).")
    Path stateDir;

    @Option(names = "--drift-at", defaultValue = "0.5",
            description = "Share of the live events after which the stream drifts: amounts x4, a fraud ring at electronics and gaming merchants (default: ${DEFAULT-VALUE}).")
    double driftAt;

    @Option(names = "--report", defaultValue = ".loopline/demo-report.html",
            description = "Self-contained HTML report of the run (accuracy, drift, detectors, versions over time); '' for none (default: ${DEFAULT-VALUE}).")
    java.nio.file.Path report;

    @Override
    public Integer call() throws Exception {
        Configuration conf = ConfigFlags.read(commandSpec, ConfigFlags.DEMO, DEFAULTS);
        int maxParallelism = conf.get(ServingOptions.MAX_PARALLELISM);
        String eventsTopic = conf.get(KafkaOptions.EVENTS);
        String featureLogTopic = conf.get(KafkaOptions.FEATURE_LOG);
        String predictionsTopic = conf.get(KafkaOptions.PREDICTIONS);
        String modelsTopic = conf.get(KafkaOptions.MODELS);
        String labelsTopic = conf.get(KafkaOptions.LABELS);
        String driftTopic = conf.get(KafkaOptions.DRIFT);
        String deadLetterTopic = conf.get(KafkaOptions.DEAD_LETTERS);
        PredictionDelivery predictionsDelivery = ConfigFlags.delivery(commandSpec, conf);
        String bootstrapServers = conf.get(KafkaOptions.BOOTSTRAP_SERVERS);
        int parallelism = conf.get(CoreOptions.DEFAULT_PARALLELISM);
        Duration checkpointInterval = conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL);
        DemoSettings settings = new DemoSettings(bootstrapServers, history, events, rate, entities, malformedRatio, seed,
                parallelism, maxParallelism, checkpointInterval, timeout, stateDir, eventsTopic, featureLogTopic, predictionsTopic, modelsTopic, deadLetterTopic, labelsTopic, driftTopic,
                driftAt, report.toString().isEmpty() ? null : report, predictionsDelivery);
        DemoRun run = new DemoRun(settings, System.out);
        Thread main = Thread.currentThread();
        Thread onCtrlC = new Thread(() -> {
            run.interrupt();
            try {
                main.join(90_000); // let the run stop the job and the broker before the JVM goes
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "loopline-demo-interrupt");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        DemoSummary summary = run.run();
        try {
            Runtime.getRuntime().removeShutdownHook(onCtrlC);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is already waiting for us.
        }
        return summary.complete() && !summary.exactlyOnce() ? 2 : 0;
    }
}
