package io.loopline.cli;

import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.ProgressCounters;
import io.loopline.jobs.learning.LearningJob;
import io.loopline.jobs.config.KafkaOptions;
import io.loopline.jobs.config.ServingOptions;
import io.loopline.kafka.KafkaTopics;
import io.loopline.operators.config.InvalidOptionException;
import io.loopline.operators.retraining.TrainerOptions;
import io.loopline.operators.retraining.TrainerSettings;
import io.loopline.operators.drift.ReferenceBins;
import io.loopline.state.profile.ReferenceProfile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "learn",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the learning job until Ctrl-C, in an embedded Flink MiniCluster: the serving job's feature log is joined with"
                    + " the labels topic by event id within the feedback window (a default label when none arrives, if given);"
                    + " joined examples are evaluated per model version over a rolling window and their errors feed ADWIN,"
                    + " Page-Hinkley and DDM; features and scores are compared with the backfill's reference profile per"
                    + " event-time window (PSI, KS, Jensen-Shannon, chi-square, Wasserstein). Results go to the drift topic and"
                    + " to Flink metrics (docs/metrics.md).",
            "Labels are JSON: {\"eventId\": \"...\", \"label\": 0 or 1, \"timestamp\": epoch millis of the outcome}."
        },
        sortOptions = false)
final class LearnCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    KafkaClientOptions kafkaOptions = new KafkaClientOptions();

    @Option(names = "--slice", description = "A one_hot feature of the spec: metrics are also reported per category (e.g. merchant).")
    String slice;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    /** The settings that differ here from the options' defaults: this job's consumer group, and the model it retrains. */
    static final Configuration DEFAULTS = defaults();

    private static Configuration defaults() {
        Configuration defaults = new Configuration();
        defaults.set(KafkaOptions.GROUP_ID, "loopline-learning");
        defaults.set(ServingOptions.MODEL_NAME, "fraud");
        defaults.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        defaults.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(5));
        defaults.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, ".loopline/learning");
        return defaults;
    }

    @picocli.CommandLine.Mixin
    RunDuration runFor = new RunDuration();

    private static io.loopline.operators.scoring.ModelStoreSupplier storeAt(String root) {
        return () -> new io.loopline.state.model.FileSystemModelStore(new org.apache.flink.core.fs.Path(root));
    }

    @Override
    public Integer call() throws Exception {
        // Every setting is read and checked before anything is read or contacted.
        TrainerSettings trainer = null;
        Configuration conf = ConfigFlags.read(commandSpec, ConfigFlags.LEARN, DEFAULTS);
        String profile = conf.get(ServingOptions.PROFILE);
        String bootstrapServers = conf.get(KafkaOptions.BOOTSTRAP_SERVERS);
        String modelStore = conf.get(ServingOptions.MODEL_STORE);
        String model = conf.get(ServingOptions.MODEL_NAME);
        String modelsTopic = conf.get(KafkaOptions.MODELS);
        String featureLogTopic = conf.get(KafkaOptions.FEATURE_LOG);
        String shadowLogTopic = conf.get(KafkaOptions.SHADOW_LOG);
        String labelsTopic = conf.get(KafkaOptions.LABELS);
        String driftTopic = conf.get(KafkaOptions.DRIFT);
        String deadLetterTopic = conf.get(KafkaOptions.DEAD_LETTERS);
        String groupId = conf.get(KafkaOptions.GROUP_ID);
        int parallelism = conf.get(CoreOptions.DEFAULT_PARALLELISM);
        Duration checkpointInterval = conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL);
        try {
            if (TrainerOptions.mode(conf).isPresent()) {
                trainer = TrainerSettings.from(conf, model);
            }
        } catch (InvalidOptionException e) {
            throw ConfigFlags.error(commandSpec, ConfigFlags.LEARN, e);
        }
        io.loopline.kafka.KafkaConnection kafka = kafkaOptions.connection(bootstrapServers);
        ReferenceProfile reference;
        try {
            reference = ReferenceProfile.read(new org.apache.flink.core.fs.Path(profile));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--profile: cannot read " + profile + " (" + e.getMessage() + "); run `loopline backfill` first");
        }
        LearningJob.Settings settings;
        try {
            settings = LearningJob.Settings.from(conf, ReferenceBins.of(reference), modelStore == null ? null : storeAt(modelStore),
                    slice == null ? null : io.loopline.operators.learning.Slices.of(slice, reference.columns(), reference.fit()));
        } catch (InvalidOptionException e) {
            throw ConfigFlags.error(commandSpec, ConfigFlags.LEARN, e);
        }
        if (trainer != null) {
            settings = settings.withRetraining(new LearningJob.Retraining(trainer, new io.loopline.kafka.KafkaModelAnnouncer(kafka, modelsTopic)));
        }
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(featureLogTopic, parallelism);
        topics.put(shadowLogTopic, parallelism);
        topics.put(labelsTopic, parallelism);
        topics.put(driftTopic, 1);
        topics.put(deadLetterTopic, 1);
        KafkaTopics.ensure(kafka, topics, Duration.ofSeconds(30));
        Path checkpoints = ConfigFlags.checkpointFolder(conf);
        var flink = LocalEnvironments.streamingConfiguration(parallelism, checkpoints, checkpointInterval);
        ProgressCounters.reportingTo(flink);
        JobClient client = new LearningJob(KafkaIo.raw(kafka, featureLogTopic, groupId), KafkaIo.raw(kafka, labelsTopic, groupId),
                KafkaIo.drift(kafka, driftTopic, groupId), KafkaIo.deadLetters(kafka, deadLetterTopic, groupId), settings)
                .withShadowLog(KafkaIo.raw(kafka, shadowLogTopic, groupId + "-shadow"))
                .start(StreamExecutionEnvironment.getExecutionEnvironment(flink));
        System.out.printf("Learning from %s + %s -> %s (feedback window %s, drift window %s); job %s. Ctrl-C stops it.%n", featureLogTopic,
                labelsTopic, driftTopic, settings.feedbackWindow(), settings.driftWindow(), client.getJobID());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                client.cancel().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("loopline: could not cancel the job cleanly: " + e);
            }
        }, "loopline-learn-stop"));
        long deadline = runFor.deadlineNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(5000);
            if (client.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                System.out.println("The learning job ended: " + client.getJobStatus().get());
                return 1;
            }
            System.out.printf(Locale.ROOT, "%,d labels joined, %,d defaulted, %,d late, %,d duplicate, %,d unknown%n",
                    ProgressCounters.sum(LearningJob.JOB_NAME, "labels_joined"), ProgressCounters.sum(LearningJob.JOB_NAME, "labels_defaulted"),
                    ProgressCounters.sum(LearningJob.JOB_NAME, "labels_late"), ProgressCounters.sum(LearningJob.JOB_NAME, "labels_duplicate"),
                    ProgressCounters.sum(LearningJob.JOB_NAME, "labels_unknown"));
        }
        client.cancel().get(60, TimeUnit.SECONDS);
        System.out.println("Stopped after " + runFor.duration + ".");
        return 0;
    }
}
