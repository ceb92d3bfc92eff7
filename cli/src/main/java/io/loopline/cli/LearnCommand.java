package io.loopline.cli;

import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.ProgressCounters;
import io.loopline.jobs.learning.LearningJob;
import io.loopline.kafka.KafkaTopics;
import io.loopline.operators.config.InvalidOptionException;
import io.loopline.operators.retraining.TrainerOptions;
import io.loopline.operators.retraining.TrainerSettings;
import io.loopline.operators.drift.ReferenceBins;
import io.loopline.state.profile.ReferenceProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
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
    @Option(names = "--profile", required = true, description = "The backfill's profile.json (the reference distributions).")
    String profile;

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka with the feature log and the labels.")
    String bootstrapServers;

    @picocli.CommandLine.Mixin
    KafkaClientOptions kafkaOptions = new KafkaClientOptions();

    @Option(names = "--model-store",
            description = "Model store root: each version's validation accuracy is exported as its reference (for the accuracy-drop alert).")
    String modelStore;

    @Option(names = "--slice", description = "A one_hot feature of the spec: metrics are also reported per category (e.g. merchant).")
    String slice;

    @Option(names = "--model", defaultValue = "fraud", description = "Model name in the store, for retraining (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--models-topic", defaultValue = "models", description = "Where promoted versions are announced (default: ${DEFAULT-VALUE}).")
    String modelsTopic;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    /** The trainer's settings that differ here from the options' defaults: none. */
    static final Configuration TRAINER_DEFAULTS = new Configuration();

    @Option(names = "--feature-log-topic", defaultValue = "feature-log", description = "Served features + predictions (default: ${DEFAULT-VALUE}).")
    String featureLogTopic;

    @Option(names = "--shadow-log-topic", defaultValue = "shadow-log",
            description = "What shadow trials scored: evaluated per version against the same labels (default: ${DEFAULT-VALUE}).")
    String shadowLogTopic;

    @Option(names = "--labels-topic", defaultValue = "labels", description = "Late labels (default: ${DEFAULT-VALUE}).")
    String labelsTopic;

    @Option(names = "--drift-topic", defaultValue = "drift", description = "Output: metrics, drift statistics, change points (default: ${DEFAULT-VALUE}).")
    String driftTopic;

    @Option(names = "--dead-letter-topic", defaultValue = "dead-letters", description = "Rejected labels and unreadable records (default: ${DEFAULT-VALUE}).")
    String deadLetterTopic;

    @Option(names = "--feedback-window", defaultValue = "30min",
            description = "How long after an event (event time) its label may arrive (default: ${DEFAULT-VALUE}).")
    Duration feedbackWindow;

    @Option(names = "--default-label", description = "Label of an event whose window closes without one (natural labels, e.g. 0); none by default.")
    Double defaultLabel;

    @Option(names = "--out-of-orderness", defaultValue = "5s", description = "Event-time disorder of feature log and labels (default: ${DEFAULT-VALUE}).")
    Duration outOfOrderness;

    @Option(names = "--labels-idle-after", defaultValue = "30s",
            description = "Labels hold the join's event time back until a labels subtask has sent nothing for this long (default: ${DEFAULT-VALUE}).")
    Duration labelsIdleAfter;

    @Option(names = "--evaluation-window", defaultValue = "1000",
            description = "Labelled examples per rolling (count-based) evaluation; time-based windows use --drift-window (default: ${DEFAULT-VALUE}).")
    int evaluationWindow;

    @Option(names = "--evaluation-slide", defaultValue = "250", description = "Report the evaluation every this many examples (default: ${DEFAULT-VALUE}).")
    int evaluationSlide;

    @Option(names = "--drift-window", defaultValue = "1min", description = "Event-time window of the drift statistics and of the time-based evaluation (default: ${DEFAULT-VALUE}).")
    Duration driftWindow;

    @Option(names = "--group-id", defaultValue = "loopline-learning", description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(names = "--parallelism", defaultValue = "2", description = "Flink parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "5s", description = "Checkpoint interval (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--state-dir", description = "Folder for checkpoints (default: .loopline/learning).")
    Path stateDir;

    @Option(names = "--duration", defaultValue = "0s", description = "Stop after this long; 0s runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    Duration duration;

    private static io.loopline.operators.scoring.ModelStoreSupplier storeAt(String root) {
        return () -> new io.loopline.state.model.FileSystemModelStore(new org.apache.flink.core.fs.Path(root));
    }

    @Override
    public Integer call() throws Exception {
        // The trainer's settings are checked before anything is read or contacted.
        TrainerSettings trainer = null;
        Configuration trainerConfig = ConfigFlags.read(commandSpec, ConfigFlags.LEARN, TRAINER_DEFAULTS);
        try {
            if (TrainerOptions.mode(trainerConfig).isPresent()) {
                trainer = TrainerSettings.from(trainerConfig, model);
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
        var settings = new LearningJob.Settings(ReferenceBins.of(reference), feedbackWindow, defaultLabel == null ? Double.NaN : defaultLabel,
                outOfOrderness, evaluationWindow, evaluationSlide, driftWindow, 128, modelStore == null ? null : storeAt(modelStore),
                slice == null ? null : io.loopline.operators.learning.Slices.of(slice, reference.columns(), reference.fit()))
                .withLabelsIdleAfter(labelsIdleAfter);
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
        Path checkpoints = Files.createDirectories(stateDir != null ? stateDir : Path.of(".loopline", "learning")).toAbsolutePath();
        var conf = LocalEnvironments.streamingConfiguration(parallelism, checkpoints, checkpointInterval);
        conf.setString(MetricOptions.REPORTERS_LIST.key(), ProgressCounters.REPORTER_NAME);
        conf.setString("metrics.reporter." + ProgressCounters.REPORTER_NAME + ".factory.class", ProgressCounters.Factory.class.getName());
        JobClient client = new LearningJob(KafkaIo.raw(kafka, featureLogTopic, groupId), KafkaIo.raw(kafka, labelsTopic, groupId),
                KafkaIo.drift(kafka, driftTopic, groupId), KafkaIo.deadLetters(kafka, deadLetterTopic, groupId), settings)
                .withShadowLog(KafkaIo.raw(kafka, shadowLogTopic, groupId + "-shadow"))
                .start(StreamExecutionEnvironment.getExecutionEnvironment(conf));
        System.out.printf("Learning from %s + %s -> %s (feedback window %s, drift window %s); job %s. Ctrl-C stops it.%n", featureLogTopic,
                labelsTopic, driftTopic, feedbackWindow, driftWindow, client.getJobID());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                client.cancel().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("loopline: could not cancel the job cleanly: " + e);
            }
        }, "loopline-learn-stop"));
        long deadline = duration.isZero() ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
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
        System.out.println("Stopped after " + duration + ".");
        return 0;
    }
}
