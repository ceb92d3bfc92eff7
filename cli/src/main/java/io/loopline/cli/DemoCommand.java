package io.loopline.cli;

import io.loopline.demo.DemoRun;
import io.loopline.demo.DemoSettings;
import io.loopline.demo.DemoSummary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
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
    @Option(names = "--history", defaultValue = "100000",
            description = "Labelled historic events to backfill (BATCH) before serving (default: ${DEFAULT-VALUE}).")
    long history;

    @Option(names = "--events", defaultValue = "200000",
            description = "Live events to generate (default: ${DEFAULT-VALUE}); 0 runs until Ctrl-C.")
    long events;

    @Option(names = "--rate", defaultValue = "5000",
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

    @Option(names = "--parallelism", defaultValue = "2", description = "Flink parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--max-parallelism", defaultValue = "128",
            description = "Flink max parallelism, i.e. the number of key groups; fixed for the life of the state (default: ${DEFAULT-VALUE}).")
    int maxParallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "1s",
            description = "Checkpoint interval; exactly-once output becomes visible at each checkpoint (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--timeout", defaultValue = "10min",
            description = "Stop after this long even if not every event is committed (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--bootstrap-servers",
            description = "Use this Kafka cluster instead of starting a local broker.")
    String bootstrapServers;

    @Option(names = "--state-dir",
            description = "Folder for checkpoints (default: a temporary folder).")
    Path stateDir;

    @Option(names = "--events-topic", defaultValue = "events", description = "Input topic (default: ${DEFAULT-VALUE}).")
    String eventsTopic;

    @Option(names = {"--feature-log-topic", "--features-topic"}, defaultValue = "feature-log",
            description = "Output topic of the served feature vectors with their predictions (default: ${DEFAULT-VALUE}).")
    String featureLogTopic;

    @Option(names = "--predictions-topic", defaultValue = "predictions",
            description = "Output topic of the predictions, each naming its model version (default: ${DEFAULT-VALUE}).")
    String predictionsTopic;

    @Option(names = "--models-topic", defaultValue = "models",
            description = "Topic where model versions are announced (default: ${DEFAULT-VALUE}).")
    String modelsTopic;

    @Option(names = "--labels-topic", defaultValue = "labels",
            description = "Chargebacks (label 1) for fraudulent events; others get the natural label 0 (default: ${DEFAULT-VALUE}).")
    String labelsTopic;

    @Option(names = "--drift-topic", defaultValue = "drift",
            description = "Output of the learning job: metrics, drift statistics, change points (default: ${DEFAULT-VALUE}).")
    String driftTopic;

    @Option(names = "--dead-letter-topic", defaultValue = "dead-letters",
            description = "Topic for events that cannot be used, with the reason (default: ${DEFAULT-VALUE}).")
    String deadLetterTopic;

    @Option(names = "--drift-at", defaultValue = "0.5",
            description = "Share of the live events after which the stream drifts: amounts x4, a fraud ring at electronics and gaming merchants (default: ${DEFAULT-VALUE}).")
    double driftAt;

    @Option(names = "--predictions-delivery", defaultValue = "at-least-once", converter = PredictionDeliveryConverter.class,
            description = "at-least-once: predictions readable within milliseconds of their events; exactly-once: readable when their"
                    + " checkpoint commits (every --checkpoint-interval). The feature log is exactly-once either way (default: ${DEFAULT-VALUE}).")
    io.loopline.kafka.PredictionDelivery predictionsDelivery;

    @Option(names = "--report", defaultValue = ".loopline/demo-report.html",
            description = "Self-contained HTML report of the run (accuracy, drift, detectors, versions over time); '' for none (default: ${DEFAULT-VALUE}).")
    java.nio.file.Path report;

    @Override
    public Integer call() throws Exception {
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
