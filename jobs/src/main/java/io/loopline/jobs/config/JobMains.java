package io.loopline.jobs.config;

import io.loopline.cli.SpecLoader;
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
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.retraining.OnlineLearning;
import io.loopline.operators.retraining.PromotionGate;
import io.loopline.operators.retraining.RetrainPolicy;
import io.loopline.operators.retraining.TrainerSettings;
import io.loopline.operators.retraining.TrainingMode;
import io.loopline.operators.scoring.ModelStoreSupplier;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.profile.ReferenceProfile;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Builds the serving and learning jobs from a {@link JobConfig}: what their {@code main} methods run
 * under {@code flink run -c io.loopline.jobs.ServingJob loopline-jobs-job.jar --config serving.properties}.
 */
public final class JobMains {
    /** Keys under this prefix go to every Kafka client unchanged: {@code kafka.security.protocol=SASL_SSL}. */
    public static final String KAFKA_PREFIX = "kafka.";

    private JobMains() {}

    /** Keys of the serving job; see deploy/jobs/serving.properties. */
    public static void buildServing(JobConfig config, StreamExecutionEnvironment env) throws Exception {
        // Every key is read and checked before anything is loaded or contacted: a typo fails in milliseconds.
        String bootstrap = config.required("bootstrap.servers");
        Map<String, String> clientSettings = config.withPrefix(KAFKA_PREFIX);
        String specName = config.required("spec");
        String profilePath = config.required("profile");
        String model = config.required("model.name");
        String store = config.required("model.store");
        String events = config.get("topics.events", "events");
        String predictions = config.get("topics.predictions", "predictions");
        String featureLog = config.get("topics.feature-log", "feature-log");
        String shadowLog = config.get("topics.shadow-log", "shadow-log");
        String models = config.get("topics.models", "models");
        String deadLetters = config.get("topics.dead-letters", "dead-letters");
        String labels = config.get("topics.labels", "labels");
        String group = config.get("group.id", "loopline-serving");
        int partitions = positive(config, "topics.partitions", 2);
        int maxParallelism = positive(config, "max-parallelism", 128);
        int batchSize = positive(config, "scoring.batch-size", 256);
        Duration maxDelay = config.getDuration("scoring.max-batch-delay", Duration.ofMillis(20));
        int maxHeld = positive(config, "scoring.max-held", 100_000);
        Duration startupTimeout = config.getDuration("startup.timeout", Duration.ofSeconds(30));
        PredictionDelivery delivery;
        try {
            delivery = PredictionDelivery.parse(config.get("predictions.delivery", PredictionDelivery.EXACTLY_ONCE.key()));
        } catch (IllegalArgumentException e) {
            throw config.error("predictions.delivery", e.getMessage());
        }
        config.rejectUnknownKeys();

        KafkaConnection kafka = connection(config, bootstrap, clientSettings);
        FeatureSpec spec = spec(config, specName);
        ReferenceProfile profile = profile(config, profilePath);
        try {
            profile.requireColumns(spec.name(), spec.columnNames());
        } catch (IllegalArgumentException e) {
            throw config.error("profile", e.getMessage());
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
        String bootstrap = config.required("bootstrap.servers");
        Map<String, String> clientSettings = config.withPrefix(KAFKA_PREFIX);
        String profilePath = config.required("profile");
        String store = config.get("model.store", null);
        String model = config.get("model.name", "fraud");
        String featureLog = config.get("topics.feature-log", "feature-log");
        String shadowLog = config.get("topics.shadow-log", "shadow-log");
        String labels = config.get("topics.labels", "labels");
        String drift = config.get("topics.drift", "drift");
        String models = config.get("topics.models", "models");
        String deadLetters = config.get("topics.dead-letters", "dead-letters");
        String group = config.get("group.id", "loopline-learning");
        int partitions = positive(config, "topics.partitions", 2);
        Duration feedbackWindow = config.getDuration("learning.feedback-window", Duration.ofMinutes(30));
        double defaultLabel = config.getDouble("learning.default-label", Double.NaN);
        Duration outOfOrderness = config.getDuration("learning.out-of-orderness", Duration.ofSeconds(5));
        Duration labelsIdleAfter = config.getDuration("learning.labels-idle-after", LearningJob.Settings.DEFAULT_LABELS_IDLE_AFTER);
        if (labelsIdleAfter.isNegative() || labelsIdleAfter.isZero()) {
            throw config.error("learning.labels-idle-after", "must be positive, got " + labelsIdleAfter);
        }
        int evaluationWindow = positive(config, "learning.evaluation-window", 1000);
        int evaluationSlide = positive(config, "learning.evaluation-slide", 250);
        Duration driftWindow = config.getDuration("learning.drift-window", Duration.ofMinutes(1));
        int maxParallelism = positive(config, "max-parallelism", 128);
        String retrain = config.get("retrain.mode", "off");
        Duration cooldown = config.getDuration("retrain.cooldown", Duration.ofMinutes(10));
        double decayMargin = config.getDouble("retrain.decay-margin", 0.05);
        int minExamples = positive(config, "retrain.min-examples", 200);
        long afterDriftExamples = config.getInt("retrain.after-drift-examples", 0);
        int everyExamples = config.getInt("retrain.every-examples", 0);
        int maxRetrains = positive(config, "retrain.max-retrains", 6);
        Duration rateWindow = config.getDuration("retrain.rate-window", Duration.ofDays(1));
        int bufferSize = positive(config, "retrain.buffer-size", 20_000);
        double holdoutFraction = config.getDouble("retrain.holdout-fraction", 0.2);
        PromotionGate defaultGate = PromotionGate.defaults();
        String gateMetric = config.get("gate.metric", defaultGate.metric());
        double gateMargin = config.getDouble("gate.margin", defaultGate.margin());
        String guardMetric = config.get("gate.guard-metric", defaultGate.guardMetric());
        double guardTolerance = config.getDouble("gate.guard-tolerance", defaultGate.guardTolerance());
        long shadowExamples = config.getInt("gate.shadow-examples", 0);
        double shadowMargin = config.getDouble("gate.shadow-margin", 0);
        Duration shadowTimeout = config.getDuration("gate.shadow-timeout", PromotionGate.DEFAULT_SHADOW_TIMEOUT);
        OnlineLearning defaultOnline = OnlineLearning.defaults();
        int onlineBatchSize = config.getInt("online.batch-size", defaultOnline.batchSize());
        long publishEveryLabels = config.getInt("online.publish-every-labels", (int) defaultOnline.publishEveryLabels());
        Duration publishEvery = config.getDuration("online.publish-every", Duration.ofMillis(defaultOnline.publishEveryMillis()));
        int compareRows = config.getInt("online.compare-rows", defaultOnline.compareRows());
        double onlineMargin = config.getDouble("online.margin", defaultOnline.margin());
        double driftBoost = config.getDouble("online.drift-boost", defaultOnline.driftBoost());
        long boostExamples = config.getInt("online.boost-examples", (int) defaultOnline.boostExamples());
        List<Integer> scratchHidden = layerWidths(config, "retrain.scratch-hidden", "32,16");
        double scratchLearningRate = config.getDouble("retrain.scratch-learning-rate", 0.003);
        Duration startupTimeout = config.getDuration("startup.timeout", Duration.ofSeconds(30));
        config.rejectUnknownKeys();

        KafkaConnection kafka = connection(config, bootstrap, clientSettings);
        ModelStoreSupplier modelStore = store == null ? null : storeAt(config, store);
        TrainingMode mode = null;
        if (!retrain.equals("off")) {
            try {
                mode = TrainingMode.parse(retrain);
            } catch (IllegalArgumentException e) {
                throw config.error("retrain.mode", "'" + retrain + "' is not off, stateful, stateless or online");
            }
            if (store == null) {
                throw config.error("model.store", "required when retrain.mode is " + retrain + " (challengers are published there)");
            }
        }
        ReferenceProfile profile = profile(config, profilePath);
        var settings = new LearningJob.Settings(ReferenceBins.of(profile), feedbackWindow, defaultLabel, outOfOrderness,
                evaluationWindow, evaluationSlide, driftWindow, maxParallelism, modelStore, null).withLabelsIdleAfter(labelsIdleAfter);
        if (mode != null) {
            RetrainPolicy policy;
            try {
                policy = RetrainPolicy.defaults().withCooldown(cooldown).withDecay("accuracy", decayMargin).withMinExamples(minExamples)
                        .withEveryExamples(everyExamples).withRateLimit(maxRetrains, rateWindow).withAfterDriftExamples(afterDriftExamples);
            } catch (IllegalArgumentException e) {
                String key = e.getMessage().split(" ")[0];
                throw config.error(key, e.getMessage());
            }
            PromotionGate gate;
            try {
                gate = new PromotionGate(gateMetric, gateMargin, guardMetric, guardTolerance).withShadow(shadowExamples, shadowMargin, shadowTimeout);
            } catch (IllegalArgumentException e) {
                throw config.error(e.getMessage().split(":")[0], e.getMessage());
            }
            OnlineLearning online;
            try {
                online = new OnlineLearning(onlineBatchSize, publishEveryLabels, publishEvery.toMillis(), compareRows, onlineMargin, driftBoost,
                        boostExamples);
            } catch (IllegalArgumentException e) {
                throw config.error(e.getMessage().split(" ")[0].replace(":", ""), e.getMessage());
            }
            NetworkSettings scratch;
            try {
                scratch = new NetworkSettings(scratchHidden, "relu", scratchLearningRate, 1e-4, 1, 64, 7);
            } catch (IllegalArgumentException e) {
                throw config.error("retrain.scratch-learning-rate", e.getMessage());
            }
            // Stateless challengers are trained from scratch with this architecture; the other modes start from the champion.
            TrainerSettings trainer = TrainerSettings.defaults(model, mode, scratch).withPolicy(policy).withGate(gate)
                    .withBuffer(bufferSize, holdoutFraction).withOnline(online);
            settings = settings.withRetraining(new LearningJob.Retraining(trainer, new KafkaModelAnnouncer(kafka, models)));
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
        String specName = config.required("spec");
        String inputs = config.required("input");
        String format = config.get("input.format", "auto");
        String output = config.required("output");
        boolean overwrite = bool(config, "overwrite", false);
        int parallelism = positive(config, "parallelism", 2);
        int maxParallelism = positive(config, "max-parallelism", 128);
        boolean savepoint = bool(config, "savepoint", false);
        int bins = positive(config, "profile.bins", 10);
        config.rejectUnknownKeys();

        FeatureSpec spec = spec(config, specName);
        List<org.apache.flink.core.fs.Path> paths = java.util.Arrays.stream(inputs.split(",")).map(String::trim).filter(p -> !p.isEmpty())
                .map(org.apache.flink.core.fs.Path::new).toList();
        if (paths.isEmpty()) {
            throw config.error("input", "no path given");
        }
        InputFormat inputFormat;
        if (format.equals("auto")) {
            inputFormat = InputFormat.guess(paths.get(0).getName());
        } else {
            try {
                inputFormat = InputFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw config.error("input.format", "must be jsonl, csv or auto, got '" + format + "'");
            }
        }
        BackfillJob.Settings settings;
        try {
            settings = new BackfillJob.Settings(parallelism, maxParallelism, bins, overwrite, savepoint);
        } catch (IllegalArgumentException e) {
            throw config.error("profile.bins", e.getMessage().replace("--bins ", ""));
        }
        var input = EventSources.files(paths, inputFormat, spec.csv());
        out.printf("Backfill of %s with spec '%s' (%d feature columns) into %s%n", input.description(), spec.name(), spec.dimension(), output);
        BackfillJob.Result result = new BackfillJob(input, spec, new org.apache.flink.core.fs.Path(output), settings)
                .run(BackfillProgress.NONE);
        out.printf(java.util.Locale.ROOT, "Done in %.1f s: %,d training rows, %,d dead letters%n", result.seconds(), result.rows(), result.deadLetters());
        return result;
    }

    private static boolean bool(JobConfig config, String key, boolean fallback) {
        String value = config.get(key, String.valueOf(fallback)).trim().toLowerCase(java.util.Locale.ROOT);
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw config.error(key, "must be true or false, got '" + value + "'");
        };
    }

    /** Comma-separated hidden layer widths; {@code none} for none (logistic regression). */
    private static List<Integer> layerWidths(JobConfig config, String key, String fallback) {
        List<Integer> widths = new java.util.ArrayList<>();
        for (String part : config.get(key, fallback).split(",")) {
            String width = part.trim();
            if (width.isEmpty() || width.equals("none")) {
                continue;
            }
            try {
                widths.add(Integer.parseInt(width));
            } catch (NumberFormatException e) {
                throw config.error(key, "'" + width + "' is not a layer width");
            }
            if (widths.get(widths.size() - 1) < 1) {
                throw config.error(key, "layer widths must be at least 1, got " + width);
            }
        }
        return widths;
    }

    private static int positive(JobConfig config, String key, int fallback) {
        int value = config.getInt(key, fallback);
        if (value < 1) {
            throw config.error(key, "must be at least 1, got " + value);
        }
        return value;
    }

    private static KafkaConnection connection(JobConfig config, String bootstrap, Map<String, String> clientSettings) {
        try {
            return new KafkaConnection(bootstrap, clientSettings);
        } catch (IllegalArgumentException e) {
            String key = clientSettings.keySet().stream().filter(k -> e.getMessage().contains("'" + k + "'")).findFirst()
                    .map(k -> KAFKA_PREFIX + k).orElse("bootstrap.servers");
            throw config.error(key, e.getMessage());
        }
    }

    /** Creates missing topics; the first contact with Kafka, so an unreachable or refusing cluster fails here, at start-up. */
    private static void ensureTopics(JobConfig config, KafkaConnection kafka, Map<String, Integer> topics, Set<String> compacted, Duration timeout) {
        try {
            KafkaTopics.ensure(kafka, topics, compacted, timeout);
        } catch (IllegalStateException e) {
            throw config.error("bootstrap.servers", "Kafka at " + kafka + " did not answer or refused within " + timeout
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
            throw config.error("spec", e.getMessage().replace("--spec: ", ""));
        }
    }

    private static ReferenceProfile profile(JobConfig config, String path) {
        try {
            return ReferenceProfile.read(new org.apache.flink.core.fs.Path(path));
        } catch (java.io.IOException | RuntimeException e) {
            throw config.error("profile", "cannot read " + path + " (" + e.getMessage() + "); run `loopline backfill` first, or point"
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
            throw config.error("model.store", "cannot use " + root + " as the model store (" + e.getMessage() + "); give a folder on a"
                    + " file system every TaskManager can read: file:///shared/models, s3://bucket/models, hdfs://...");
        }
        return () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root));
    }
}
