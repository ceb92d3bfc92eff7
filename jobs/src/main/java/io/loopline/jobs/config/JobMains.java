package io.loopline.jobs.config;

import io.loopline.jobs.config.SpecLoader;
import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.PredictionDelivery;
import io.loopline.jobs.backfill.BackfillJob;
import io.loopline.jobs.backfill.BackfillProgress;
import io.loopline.io.EventSources;
import io.loopline.io.InputFormat;
import io.loopline.jobs.ServingJob;
import io.loopline.jobs.learning.LearningJob;
import io.loopline.kafka.KafkaConnection;
import io.loopline.kafka.KafkaModelAnnouncer;
import io.loopline.kafka.KafkaTopics;
import io.loopline.operators.drift.ReferenceBins;
import io.loopline.operators.config.InvalidOptionException;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.retraining.TrainerOptions;
import io.loopline.operators.retraining.TrainerSettings;
import io.loopline.operators.retraining.TrainingMode;
import io.loopline.operators.scoring.ModelStoreSupplier;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.profile.ReferenceProfile;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Builds the serving and learning jobs from a {@link JobConfig}: what their {@code main} methods run
 * under {@code flink run -c io.loopline.jobs.ServingJob loopline-jobs-job.jar --config serving.properties}.
 */
public final class JobMains {
    /** Keys under this prefix go to every Kafka client unchanged: {@code kafka.security.protocol=SASL_SSL}. */
    public static final String KAFKA_PREFIX = KafkaOptions.CLIENT_PREFIX;

    private JobMains() {}

    /** Keys of the serving job; see deploy/jobs/serving.properties. */
    public static void buildServing(JobConfig config, StreamExecutionEnvironment env) throws Exception {
        // Every key is read and checked before anything is loaded or contacted: a typo fails in milliseconds.
        String bootstrap = config.required(KafkaOptions.BOOTSTRAP_SERVERS);
        Map<String, String> clientSettings = config.withPrefix(KAFKA_PREFIX);
        String specName = config.required(ServingOptions.SPEC);
        String profilePath = config.required(ServingOptions.PROFILE);
        String model = config.required(ServingOptions.MODEL_NAME);
        String store = config.required(ServingOptions.MODEL_STORE);
        String events = config.get(KafkaOptions.EVENTS);
        String predictions = config.get(KafkaOptions.PREDICTIONS);
        String featureLog = config.get(KafkaOptions.FEATURE_LOG);
        String shadowLog = config.get(KafkaOptions.SHADOW_LOG);
        String models = config.get(KafkaOptions.MODELS);
        String deadLetters = config.get(KafkaOptions.DEAD_LETTERS);
        String labels = config.get(KafkaOptions.LABELS);
        String group = Objects.requireNonNullElse(config.get(KafkaOptions.GROUP_ID), "loopline-serving");
        int partitions = positive(config, KafkaOptions.PARTITIONS);
        int maxParallelism = positive(config, ServingOptions.MAX_PARALLELISM);
        int batchSize = positive(config, ServingOptions.SCORING_BATCH_SIZE);
        Duration maxDelay = config.get(ServingOptions.SCORING_MAX_BATCH_DELAY);
        int maxHeld = positive(config, ServingOptions.SCORING_MAX_HELD);
        Duration startupTimeout = config.get(KafkaOptions.STARTUP_TIMEOUT);
        PredictionDelivery delivery;
        try {
            delivery = PredictionDelivery.parse(config.get(ServingOptions.PREDICTIONS_DELIVERY));
        } catch (IllegalArgumentException e) {
            throw config.error(ServingOptions.PREDICTIONS_DELIVERY.key(), e.getMessage());
        }
        config.rejectUnknownKeys();

        KafkaConnection kafka = connection(config, bootstrap, clientSettings);
        FeatureSpec spec = spec(config, specName);
        ReferenceProfile profile = profile(config, profilePath);
        try {
            profile.requireColumns(spec.name(), spec.columnNames());
        } catch (IllegalArgumentException e) {
            throw config.error(ServingOptions.PROFILE.key(), e.getMessage());
        }
        ModelStoreSupplier modelStore = storeAt(config, store);
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(events, partitions);
        topics.put(predictions, partitions);
        topics.put(featureLog, partitions);
        topics.put(shadowLog, partitions);
        topics.put(models, 1);
        topics.put(deadLetters, 1);
        if (spec.hasLabelHistory()) {
            topics.put(labels, partitions);
        }
        ensureTopics(config, kafka, topics, Set.of(models), startupTimeout);
        ServingJob serving = new ServingJob(KafkaIo.events(kafka, events, group, false), null, KafkaIo.deadLetters(kafka, deadLetters, group),
                new ServingJob.Settings(spec, profile.fit(), maxParallelism));
        if (spec.hasLabelHistory()) {
            serving.withLabels(KafkaIo.raw(kafka, labels, group));
        }
        serving
                .withScoring(new ServingJob.Scoring(KafkaIo.models(kafka, models, group, false), KafkaIo.predictions(kafka, predictions, group, delivery.guarantee()),
                        model, modelStore, batchSize, maxDelay.toMillis(), maxHeld))
                .withFeatureLog(KafkaIo.featureLog(kafka, featureLog, spec.name(), group))
                .withShadowLog(KafkaIo.shadowLog(kafka, shadowLog, spec.name(), group))
                .build(env);
    }

    /** Keys of the learning job; see deploy/jobs/learning.properties. */
    public static void buildLearning(JobConfig config, StreamExecutionEnvironment env) throws Exception {
        String bootstrap = config.required(KafkaOptions.BOOTSTRAP_SERVERS);
        Map<String, String> clientSettings = config.withPrefix(KAFKA_PREFIX);
        String profilePath = config.required(ServingOptions.PROFILE);
        String store = config.get(ServingOptions.MODEL_STORE);
        String model = Objects.requireNonNullElse(config.get(ServingOptions.MODEL_NAME), "fraud");
        String featureLog = config.get(KafkaOptions.FEATURE_LOG);
        String shadowLog = config.get(KafkaOptions.SHADOW_LOG);
        String labels = config.get(KafkaOptions.LABELS);
        String drift = config.get(KafkaOptions.DRIFT);
        String models = config.get(KafkaOptions.MODELS);
        String deadLetters = config.get(KafkaOptions.DEAD_LETTERS);
        String group = Objects.requireNonNullElse(config.get(KafkaOptions.GROUP_ID), "loopline-learning");
        int partitions = positive(config, KafkaOptions.PARTITIONS);
        Duration feedbackWindow = config.get(LearningOptions.FEEDBACK_WINDOW);
        double defaultLabel = Objects.requireNonNullElse(config.get(LearningOptions.DEFAULT_LABEL), Double.NaN);
        Duration outOfOrderness = config.get(LearningOptions.OUT_OF_ORDERNESS);
        Duration labelsIdleAfter = config.get(LearningOptions.LABELS_IDLE_AFTER);
        if (labelsIdleAfter.isNegative() || labelsIdleAfter.isZero()) {
            throw config.error(LearningOptions.LABELS_IDLE_AFTER.key(), "must be positive, got " + labelsIdleAfter);
        }
        int evaluationWindow = positive(config, LearningOptions.EVALUATION_WINDOW);
        int evaluationSlide = positive(config, LearningOptions.EVALUATION_SLIDE);
        Duration driftWindow = config.get(LearningOptions.DRIFT_WINDOW);
        int maxParallelism = positive(config, ServingOptions.MAX_PARALLELISM);
        Optional<TrainerSettings> trainer;
        try {
            Optional<TrainingMode> mode = TrainerOptions.mode(config);
            trainer = mode.map(m -> TrainerSettings.from(config, model));
            if (mode.isPresent() && store == null) {
                throw config.error(ServingOptions.MODEL_STORE.key(), "required when retrain.mode is " + mode.get().label()
                        + " (challengers are published there)");
            }
        } catch (InvalidOptionException e) {
            throw config.error(e.key(), e.problem());
        }
        config.allow(TrainerOptions.class);
        Duration startupTimeout = config.get(KafkaOptions.STARTUP_TIMEOUT);
        config.rejectUnknownKeys();

        KafkaConnection kafka = connection(config, bootstrap, clientSettings);
        ModelStoreSupplier modelStore = store == null ? null : storeAt(config, store);
        ReferenceProfile profile = profile(config, profilePath);
        var settings = new LearningJob.Settings(ReferenceBins.of(profile), feedbackWindow, defaultLabel, outOfOrderness,
                evaluationWindow, evaluationSlide, driftWindow, maxParallelism, modelStore, null).withLabelsIdleAfter(labelsIdleAfter);
        if (trainer.isPresent()) {
            settings = settings.withRetraining(new LearningJob.Retraining(trainer.get(), new KafkaModelAnnouncer(kafka, models)));
        }
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(featureLog, partitions);
        topics.put(shadowLog, partitions);
        topics.put(labels, partitions);
        topics.put(drift, 1);
        topics.put(models, 1);
        topics.put(deadLetters, 1);
        ensureTopics(config, kafka, topics, Set.of(models), startupTimeout);
        new LearningJob(KafkaIo.raw(kafka, featureLog, group), KafkaIo.raw(kafka, labels, group), KafkaIo.drift(kafka, drift, group),
                KafkaIo.deadLetters(kafka, deadLetters, group), settings)
                .withShadowLog(KafkaIo.raw(kafka, shadowLog, group + "-shadow"))
                .build(env);
    }

    /**
     * Keys of the backfill (deploy/jobs/backfill.properties): runs its two BATCH passes on the cluster
     * the client submits to and writes the training set, profile and dead letters (and the savepoint)
     * to {@code output}, which client and cluster must both reach (S3, HDFS, a shared folder).
     */
    public static BackfillJob.Result runBackfill(JobConfig config, java.io.PrintStream out) throws Exception {
        String specName = config.required(ServingOptions.SPEC);
        String inputs = config.required(BackfillOptions.INPUT);
        String format = config.get(BackfillOptions.INPUT_FORMAT);
        String output = config.required(BackfillOptions.OUTPUT);
        boolean overwrite = config.get(BackfillOptions.OVERWRITE);
        int parallelism = positive(config, BackfillOptions.PARALLELISM);
        int maxParallelism = positive(config, ServingOptions.MAX_PARALLELISM);
        boolean savepoint = config.get(BackfillOptions.SAVEPOINT);
        int bins = positive(config, BackfillOptions.PROFILE_BINS);
        config.rejectUnknownKeys();

        FeatureSpec spec = spec(config, specName);
        List<org.apache.flink.core.fs.Path> paths = java.util.Arrays.stream(inputs.split(",")).map(String::trim).filter(p -> !p.isEmpty())
                .map(org.apache.flink.core.fs.Path::new).toList();
        if (paths.isEmpty()) {
            throw config.error(BackfillOptions.INPUT.key(), "no path given");
        }
        InputFormat inputFormat;
        if (format.equals("auto")) {
            inputFormat = InputFormat.guess(paths.get(0).getName());
        } else {
            try {
                inputFormat = InputFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw config.error(BackfillOptions.INPUT_FORMAT.key(), "must be jsonl, csv or auto, got '" + format + "'");
            }
        }
        BackfillJob.Settings settings;
        try {
            settings = new BackfillJob.Settings(parallelism, maxParallelism, bins, overwrite, savepoint);
        } catch (IllegalArgumentException e) {
            throw config.error(BackfillOptions.PROFILE_BINS.key(), e.getMessage().replace("--bins ", ""));
        }
        var input = EventSources.files(paths, inputFormat, spec.csv());
        out.printf("Backfill of %s with spec '%s' (%d feature columns) into %s%n", input.description(), spec.name(), spec.dimension(), output);
        BackfillJob.Result result = new BackfillJob(input, spec, new org.apache.flink.core.fs.Path(output), settings)
                .run(BackfillProgress.NONE);
        out.printf(java.util.Locale.ROOT, "Done in %.1f s: %,d training rows, %,d dead letters%n", result.seconds(), result.rows(), result.deadLetters());
        return result;
    }

    private static int positive(JobConfig config, ConfigOption<Integer> option) {
        int value = config.get(option);
        if (value < 1) {
            throw config.error(option.key(), "must be at least 1, got " + value);
        }
        return value;
    }

    private static KafkaConnection connection(JobConfig config, String bootstrap, Map<String, String> clientSettings) {
        try {
            return new KafkaConnection(bootstrap, clientSettings);
        } catch (IllegalArgumentException e) {
            String key = clientSettings.keySet().stream().filter(k -> e.getMessage().contains("'" + k + "'")).findFirst()
                    .map(k -> KAFKA_PREFIX + k).orElse(KafkaOptions.BOOTSTRAP_SERVERS.key());
            throw config.error(key, e.getMessage());
        }
    }

    /** Creates missing topics; the first contact with Kafka, so an unreachable or refusing cluster fails here, at start-up. */
    private static void ensureTopics(JobConfig config, KafkaConnection kafka, Map<String, Integer> topics, Set<String> compacted, Duration timeout) {
        try {
            KafkaTopics.ensure(kafka, topics, compacted, timeout);
        } catch (IllegalStateException e) {
            throw config.error(KafkaOptions.BOOTSTRAP_SERVERS.key(), "Kafka at " + kafka + " did not answer or refused within " + timeout
                    + " (startup.timeout): " + rootCause(e) + ". Check bootstrap.servers, the kafka.* client settings"
                    + " (security.protocol, sasl.*, ssl.*), and that this principal may describe and create the topics " + topics.keySet());
        }
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? " (no answer)" : ": " + t.getMessage());
    }

    private static FeatureSpec spec(JobConfig config, String nameOrPath) {
        try {
            return SpecLoader.load(nameOrPath);
        } catch (RuntimeException e) {
            throw config.error(ServingOptions.SPEC.key(), e.getMessage().replace("--spec: ", ""));
        }
    }

    private static ReferenceProfile profile(JobConfig config, String path) {
        try {
            return ReferenceProfile.read(new org.apache.flink.core.fs.Path(path));
        } catch (java.io.IOException | RuntimeException e) {
            throw config.error(ServingOptions.PROFILE.key(), "cannot read " + path + " (" + e.getMessage() + "); run `loopline backfill` first, or point"
                    + " profile at its out/profile.json");
        }
    }

    /** The store's file system must be reachable from here: a wrong scheme or a missing bucket fails at start-up, not at the first model. */
    private static ModelStoreSupplier storeAt(JobConfig config, String root) {
        try {
            var path = new org.apache.flink.core.fs.Path(root);
            var fs = path.getFileSystem();
            if (fs.exists(path) && !fs.getFileStatus(path).isDir()) {
                throw new java.io.IOException(root + " is a file, not a folder");
            }
            new FileSystemModelStore(path).names();
        } catch (java.io.IOException | RuntimeException e) {
            throw config.error(ServingOptions.MODEL_STORE.key(), "cannot use " + root + " as the model store (" + e.getMessage() + "); give a folder on a"
                    + " file system every TaskManager can read: file:///shared/models, s3://bucket/models, hdfs://...");
        }
        return () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root));
    }
}
