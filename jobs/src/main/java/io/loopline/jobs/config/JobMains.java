package io.loopline.jobs.config;

import io.loopline.cli.SpecLoader;
import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.ServingJob;
import io.loopline.jobs.learning.LearningJob;
import io.loopline.kafka.KafkaModelAnnouncer;
import io.loopline.kafka.KafkaTopics;
import io.loopline.operators.drift.ReferenceBins;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.retraining.RetrainPolicy;
import io.loopline.operators.retraining.TrainerSettings;
import io.loopline.operators.retraining.TrainingMode;
import io.loopline.operators.scoring.ModelStoreSupplier;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.profile.ReferenceProfile;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Builds the serving and learning jobs from a {@link JobConfig}: what their {@code main} methods run
 * under {@code flink run -c io.loopline.jobs.ServingJob loopline-jobs-job.jar --config serving.properties}.
 */
public final class JobMains {
    private JobMains() {}

    /** Keys of the serving job; see deploy/jobs/serving.properties. */
    public static void buildServing(JobConfig config, StreamExecutionEnvironment env) throws Exception {
        String bootstrap = config.required("bootstrap.servers");
        FeatureSpec spec = SpecLoader.load(config.required("spec"));
        ReferenceProfile profile = profile(config);
        profile.requireColumns(spec.name(), spec.columnNames());
        String model = config.required("model.name");
        String store = config.required("model.store");
        String events = config.get("topics.events", "events");
        String predictions = config.get("topics.predictions", "predictions");
        String featureLog = config.get("topics.feature-log", "feature-log");
        String models = config.get("topics.models", "models");
        String deadLetters = config.get("topics.dead-letters", "dead-letters");
        String group = config.get("group.id", "loopline-serving");
        int partitions = config.getInt("topics.partitions", 2);
        int maxParallelism = config.getInt("max-parallelism", 128);
        int batchSize = config.getInt("scoring.batch-size", 256);
        Duration maxDelay = config.getDuration("scoring.max-batch-delay", Duration.ofMillis(20));
        int maxHeld = config.getInt("scoring.max-held", 100_000);
        config.rejectUnknownKeys();

        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(events, partitions);
        topics.put(predictions, partitions);
        topics.put(featureLog, partitions);
        topics.put(models, 1);
        topics.put(deadLetters, 1);
        KafkaTopics.ensure(bootstrap, topics, Set.of(models), Duration.ofSeconds(30));
        new ServingJob(KafkaIo.events(bootstrap, events, group, false), null, KafkaIo.deadLetters(bootstrap, deadLetters, group),
                new ServingJob.Settings(spec, profile.fit(), maxParallelism))
                .withScoring(new ServingJob.Scoring(KafkaIo.models(bootstrap, models, group, false), KafkaIo.predictions(bootstrap, predictions, group),
                        model, storeAt(store), batchSize, maxDelay.toMillis(), maxHeld))
                .withFeatureLog(KafkaIo.featureLog(bootstrap, featureLog, spec.name(), group))
                .build(env);
    }

    /** Keys of the learning job; see deploy/jobs/learning.properties. */
    public static void buildLearning(JobConfig config, StreamExecutionEnvironment env) throws Exception {
        String bootstrap = config.required("bootstrap.servers");
        ReferenceProfile profile = profile(config);
        String store = config.get("model.store", null);
        String model = config.get("model.name", "fraud");
        String featureLog = config.get("topics.feature-log", "feature-log");
        String labels = config.get("topics.labels", "labels");
        String drift = config.get("topics.drift", "drift");
        String models = config.get("topics.models", "models");
        String deadLetters = config.get("topics.dead-letters", "dead-letters");
        String group = config.get("group.id", "loopline-learning");
        int partitions = config.getInt("topics.partitions", 2);
        var settings = new LearningJob.Settings(ReferenceBins.of(profile), config.getDuration("learning.feedback-window", Duration.ofMinutes(30)),
                config.getDouble("learning.default-label", Double.NaN), config.getDuration("learning.out-of-orderness", Duration.ofSeconds(5)),
                config.getInt("learning.evaluation-window", 1000), config.getInt("learning.evaluation-slide", 250),
                config.getDuration("learning.drift-window", Duration.ofMinutes(1)), config.getInt("max-parallelism", 128),
                store == null ? null : storeAt(store), null);
        String retrain = config.get("retrain.mode", "off");
        if (!retrain.equals("off")) {
            if (store == null) {
                throw new IllegalArgumentException("retrain.mode " + retrain + " needs model.store");
            }
            RetrainPolicy policy = RetrainPolicy.defaults().withCooldown(config.getDuration("retrain.cooldown", Duration.ofMinutes(10)))
                    .withDecay("accuracy", config.getDouble("retrain.decay-margin", 0.05))
                    .withMinExamples(config.getInt("retrain.min-examples", 200));
            TrainerSettings trainer = TrainerSettings.defaults(model, TrainingMode.parse(retrain), null).withPolicy(policy)
                    .withBuffer(config.getInt("retrain.buffer-size", 20_000), config.getDouble("retrain.holdout-fraction", 0.2));
            settings = settings.withRetraining(new LearningJob.Retraining(trainer, new KafkaModelAnnouncer(bootstrap, models)));
        }
        config.rejectUnknownKeys();
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(featureLog, partitions);
        topics.put(labels, partitions);
        topics.put(drift, 1);
        topics.put(models, 1);
        topics.put(deadLetters, 1);
        KafkaTopics.ensure(bootstrap, topics, Set.of(models), Duration.ofSeconds(30));
        new LearningJob(KafkaIo.raw(bootstrap, featureLog, group), KafkaIo.raw(bootstrap, labels, group), KafkaIo.drift(bootstrap, drift, group),
                KafkaIo.deadLetters(bootstrap, deadLetters, group), settings).build(env);
    }

    private static ReferenceProfile profile(JobConfig config) {
        String path = config.required("profile");
        try {
            return ReferenceProfile.read(new org.apache.flink.core.fs.Path(path));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("profile: cannot read " + path + " (" + e.getMessage() + "); run `loopline backfill` first");
        }
    }

    private static ModelStoreSupplier storeAt(String root) {
        return () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root));
    }
}
