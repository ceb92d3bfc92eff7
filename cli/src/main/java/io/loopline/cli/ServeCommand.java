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
import io.loopline.jobs.config.KafkaOptions;
import io.loopline.jobs.config.ServingOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
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
    /** The settings that differ here from the options' defaults: this job's consumer group, parallelism, checkpoints. */
    static final Configuration DEFAULTS = new Configuration().set(KafkaOptions.GROUP_ID, "loopline-serving")
            .set(CoreOptions.DEFAULT_PARALLELISM, 2).set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(5))
            .set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, ".loopline/serving");

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    @picocli.CommandLine.Mixin
    KafkaClientOptions kafkaOptions = new KafkaClientOptions();

    @Option(names = "--from-savepoint",
            description = "Start from this savepoint, e.g. the backfill's <output>/savepoint: warm per-entity state from the first event.")
    String savepoint;

    @picocli.CommandLine.Mixin
    RunDuration runFor = new RunDuration();

    @Override
    public Integer call() throws Exception {
        Configuration conf = ConfigFlags.read(commandSpec, ConfigFlags.SERVE, DEFAULTS);
        String spec = conf.get(ServingOptions.SPEC);
        String profile = conf.get(ServingOptions.PROFILE);
        String bootstrapServers = conf.get(KafkaOptions.BOOTSTRAP_SERVERS);
        String eventsTopic = conf.get(KafkaOptions.EVENTS);
        String deadLetterTopic = conf.get(KafkaOptions.DEAD_LETTERS);
        String labelsTopic = conf.get(KafkaOptions.LABELS);
        String model = conf.get(ServingOptions.MODEL_NAME);
        String modelStore = conf.get(ServingOptions.MODEL_STORE);
        String modelsTopic = conf.get(KafkaOptions.MODELS);
        String predictionsTopic = conf.get(KafkaOptions.PREDICTIONS);
        PredictionDelivery predictionsDelivery = ConfigFlags.delivery(commandSpec, conf);
        String featureLogTopic = conf.get(KafkaOptions.FEATURE_LOG);
        String shadowLogTopic = conf.get(KafkaOptions.SHADOW_LOG);
        ServingJob.Scoring scoringOptions;
        try {
            scoringOptions = ServingJob.Scoring.from(conf, null, null, model, null);
        } catch (io.loopline.operators.config.InvalidOptionException e) {
            throw ConfigFlags.error(commandSpec, ConfigFlags.SERVE, e);
        }
        String groupId = conf.get(KafkaOptions.GROUP_ID);
        int maxParallelism = conf.get(ServingOptions.MAX_PARALLELISM);
        String featuresTopic = conf.get(KafkaOptions.FEATURES);
        int parallelism = conf.get(CoreOptions.DEFAULT_PARALLELISM);
        Duration checkpointInterval = conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL);
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

        Path checkpoints = ConfigFlags.checkpointFolder(conf);
        var flink = LocalEnvironments.streamingConfiguration(parallelism, checkpoints, checkpointInterval);
        ProgressCounters.reportingTo(flink);
        if (savepoint != null) {
            LocalEnvironments.restoringFrom(flink, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
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
            job.withScoring(scoringOptions.wiredTo(KafkaIo.models(kafka, modelsTopic, groupId, false),
                            KafkaIo.predictions(kafka, predictionsTopic, groupId, predictionsDelivery.guarantee()),
                            () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root))))
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
        long deadline = runFor.deadlineNanos();
        while (!stopped.await(5, TimeUnit.SECONDS)) {
            if (System.nanoTime() > deadline) {
                client.cancel().get(60, TimeUnit.SECONDS);
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
                System.out.println("Stopped after " + runFor.duration + ".");
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
