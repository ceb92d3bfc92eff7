package io.loopline.cli;

import io.loopline.jobs.config.SpecLoader;
import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.kafka.PredictionDelivery;
import io.loopline.jobs.ProgressCounters;
import io.loopline.jobs.ServingJob;
import io.loopline.kafka.KafkaTopics;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.profile.ReferenceProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the serving job on live events until Ctrl-C, in an embedded Flink MiniCluster: events from Kafka are"
                    + " decoded (bad ones to the dead-letter topic), featurized with the feature spec and the backfill's"
                    + " reference profile (per-entity state in RocksDB, event time, checkpoints), and written exactly once"
                    + " to the features topic.",
            "With --model (and --model-store), every feature vector is also scored by that model's announced version,"
                    + " micro-batched, and swapped without a restart when a newer version is announced on the models topic;"
                    + " predictions go exactly once to the predictions topic and the served features with their predictions"
                    + " to the feature-log topic (the training data of record), which then replaces the features topic.",
        },
        sortOptions = false)
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--spec", required = true, description = "Feature spec: a YAML file, or a built-in one (transactions, elec2).")
    String spec;

    @Option(names = "--profile", required = true, description = "The backfill's profile.json (learned statistics the features need).")
    String profile;

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka to read events from and write features to.")
    String bootstrapServers;

    @picocli.CommandLine.Mixin
    KafkaClientOptions kafkaOptions = new KafkaClientOptions();

    @Option(names = "--from-savepoint",
            description = "Start from this savepoint, e.g. the backfill's <output>/savepoint: warm per-entity state from the first event.")
    String savepoint;

    @Option(names = "--events-topic", defaultValue = "events", description = "Input topic (default: ${DEFAULT-VALUE}).")
    String eventsTopic;

    @Option(names = "--features-topic", defaultValue = "features", description = "Output topic (default: ${DEFAULT-VALUE}).")
    String featuresTopic;

    @Option(names = "--dead-letter-topic", defaultValue = "dead-letters", description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
    String deadLetterTopic;

    @Option(names = "--labels-topic", defaultValue = "labels",
            description = "Labels, read only when the spec has label_history features; each must name its entity (default: ${DEFAULT-VALUE}).")
    String labelsTopic;

    @Option(names = "--model", description = "Score with this model (name in the store, announced on the models topic).")
    String model;

    @Option(names = "--model-store", description = "Model store root (any Flink FileSystem path); required with --model.")
    String modelStore;

    @Option(names = "--models-topic", defaultValue = "models", description = "Compacted topic of model announcements (default: ${DEFAULT-VALUE}).")
    String modelsTopic;

    @Option(names = "--predictions-topic", defaultValue = "predictions", description = "Predictions output (default: ${DEFAULT-VALUE}).")
    String predictionsTopic;

    @Option(names = "--predictions-delivery", defaultValue = "exactly-once", converter = PredictionDeliveryConverter.class,
            description = "exactly-once: predictions readable (read_committed) when their checkpoint commits, never twice;"
                    + " at-least-once: readable within milliseconds, keyed by event id, repeated after a restart (default: ${DEFAULT-VALUE}).")
    PredictionDelivery predictionsDelivery;

    @Option(names = "--feature-log-topic", defaultValue = "feature-log",
            description = "Served features + prediction, with --model (default: ${DEFAULT-VALUE}).")
    String featureLogTopic;

    @Option(names = "--shadow-log-topic", defaultValue = "shadow-log",
            description = "What a shadow trial scored, per event, never served (`loopline models shadow`), with --model (default: ${DEFAULT-VALUE}).")
    String shadowLogTopic;

    @Option(names = "--batch-size", defaultValue = "256", description = "Most feature vectors per DL4J call (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--max-batch-delay", defaultValue = "20ms",
            description = "Longest a vector waits for its micro-batch to fill (default: ${DEFAULT-VALUE}).")
    Duration maxBatchDelay;

    @Option(names = "--max-held", defaultValue = "100000",
            description = "Vectors held per subtask while no model is announced yet; more go to dead letters as no-model-overflow"
                    + " (default: ${DEFAULT-VALUE}).")
    int maxHeld;

    @Option(names = "--group-id", defaultValue = "loopline-serving",
            description = "Kafka consumer group; a restart without a savepoint resumes from its committed offsets (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(names = "--parallelism", defaultValue = "2", description = "Flink parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--max-parallelism", defaultValue = "128",
            description = "Key groups of the feature state; must equal the backfill's to restore its savepoint (default: ${DEFAULT-VALUE}).")
    int maxParallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "5s", description = "Checkpoint interval (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--state-dir", description = "Folder for checkpoints (default: .loopline/serving).")
    Path stateDir;

    @Option(names = "--duration", defaultValue = "0s", description = "Stop after this long; 0s runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        io.loopline.kafka.KafkaConnection kafka = kafkaOptions.connection(bootstrapServers);
        FeatureSpec featureSpec = SpecLoader.load(spec);
        ReferenceProfile reference;
        try {
            reference = ReferenceProfile.read(new org.apache.flink.core.fs.Path(profile));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--profile: cannot read " + profile + " (" + e.getMessage() + "); run `loopline backfill` first");
        }
        reference.requireColumns(featureSpec.name(), featureSpec.columnNames());
        boolean scoring = model != null;
        if (scoring && modelStore == null) {
            throw new IllegalArgumentException("--model-store is required with --model");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        }
        if (maxHeld < 0) {
            throw new IllegalArgumentException("--max-held must be >= 0, got " + maxHeld);
        }
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(eventsTopic, parallelism);
        if (scoring) {
            topics.put(predictionsTopic, parallelism);
            topics.put(featureLogTopic, parallelism);
            topics.put(shadowLogTopic, parallelism);
            topics.put(modelsTopic, 1);
        } else {
            topics.put(featuresTopic, parallelism);
        }
        topics.put(deadLetterTopic, 1);
        if (featureSpec.hasLabelHistory()) {
            topics.put(labelsTopic, parallelism);
        }
        KafkaTopics.ensure(kafka, topics, java.util.Set.of(modelsTopic), Duration.ofSeconds(30));

        Path checkpoints = Files.createDirectories(stateDir != null ? stateDir : Path.of(".loopline", "serving")).toAbsolutePath();
        var conf = LocalEnvironments.streamingConfiguration(parallelism, checkpoints, checkpointInterval);
        conf.setString(MetricOptions.REPORTERS_LIST.key(), ProgressCounters.REPORTER_NAME);
        conf.setString("metrics.reporter." + ProgressCounters.REPORTER_NAME + ".factory.class", ProgressCounters.Factory.class.getName());
        if (savepoint != null) {
            LocalEnvironments.restoringFrom(conf, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        var job = new ServingJob(
                KafkaIo.events(kafka, eventsTopic, groupId, false),
                scoring ? null : KafkaIo.features(kafka, featuresTopic, featureSpec.name(), groupId),
                KafkaIo.deadLetters(kafka, deadLetterTopic, groupId),
                new ServingJob.Settings(featureSpec, reference.fit(), maxParallelism));
        if (featureSpec.hasLabelHistory()) {
            job.withLabels(KafkaIo.raw(kafka, labelsTopic, groupId));
        }
        if (scoring) {
            String root = modelStore;
            job.withScoring(new ServingJob.Scoring(KafkaIo.models(kafka, modelsTopic, groupId, false),
                            KafkaIo.predictions(kafka, predictionsTopic, groupId, predictionsDelivery.guarantee()), model,
                            () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root)), batchSize, maxBatchDelay.toMillis(), maxHeld))
                    .withFeatureLog(KafkaIo.featureLog(kafka, featureLogTopic, featureSpec.name(), groupId))
                    .withShadowLog(KafkaIo.shadowLog(kafka, shadowLogTopic, featureSpec.name(), groupId));
        }
        JobClient client = job.start(env);
        System.out.printf("Serving '%s' (%d feature columns): %s -> %s, dead letters to %s; job %s. Ctrl-C stops it.%n",
                featureSpec.name(), featureSpec.dimension(), eventsTopic,
                scoring ? "model '" + model + "' (announced on " + modelsTopic + ") -> " + predictionsTopic + " + " + featureLogTopic : featuresTopic,
                deadLetterTopic, client.getJobID());

        CountDownLatch stopped = new CountDownLatch(1);
        Thread onCtrlC = new Thread(() -> {
            try {
                client.cancel().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("loopline: could not cancel the job cleanly: " + e);
            }
            stopped.countDown();
        }, "loopline-serve-stop");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        long last = 0;
        long lastNanos = System.nanoTime();
        long deadline = duration.isZero() ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        while (!stopped.await(5, TimeUnit.SECONDS)) {
            if (System.nanoTime() > deadline) {
                client.cancel().get(60, TimeUnit.SECONDS);
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
                System.out.println("Stopped after " + duration + ".");
                return 0;
            }
            if (client.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                System.out.println("The serving job ended: " + client.getJobStatus().get());
                return 1;
            }
            long decoded = ProgressCounters.sum(ServingJob.JOB_NAME, "events_decoded");
            long now = System.nanoTime();
            System.out.printf(Locale.ROOT, "%,d events featurized, %,d scored, %,d dead-lettered, %,d late, %,d model swaps, %,d versions rejected,"
                    + " %,.0f events/s%n", decoded, ProgressCounters.sum(ServingJob.JOB_NAME, "events_scored"),
                    ProgressCounters.sum(ServingJob.JOB_NAME, "events_dead_lettered"), ProgressCounters.sum(ServingJob.JOB_NAME, "events_late"),
                    ProgressCounters.sum(ServingJob.JOB_NAME, "model_swaps"), ProgressCounters.sum(ServingJob.JOB_NAME, "model_versions_rejected"),
                    (decoded - last) / ((now - lastNanos) / 1e9));
            last = decoded;
            lastNanos = now;
        }
        return 0;
    }
}
