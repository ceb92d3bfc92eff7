package io.loopline.jobs.learning;

import static io.loopline.jobs.config.JobStartup.connection;
import static io.loopline.jobs.config.JobStartup.ensureTopics;
import static io.loopline.jobs.config.JobStartup.positive;
import static io.loopline.jobs.config.JobStartup.profile;
import static io.loopline.jobs.config.JobStartup.storeAt;

import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.config.JobConfig;
import io.loopline.jobs.config.KafkaOptions;
import io.loopline.jobs.config.LearningOptions;
import io.loopline.jobs.config.ServingOptions;
import io.loopline.kafka.KafkaConnection;
import io.loopline.kafka.KafkaModelAnnouncer;
import io.loopline.operators.config.InvalidOptionException;
import io.loopline.operators.drift.ReferenceBins;
import io.loopline.operators.retraining.TrainerOptions;
import io.loopline.operators.retraining.TrainerSettings;
import io.loopline.operators.retraining.TrainingMode;
import io.loopline.operators.scoring.ModelStoreSupplier;
import io.loopline.state.profile.ReferenceProfile;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The learning job from its keys (deploy/jobs/learning.properties, docs/configuration.md): what {@link LearningJob#main} runs. */
public final class LearningJobFromConfig {
    private LearningJobFromConfig() {}

    /** Keys of the learning job; see deploy/jobs/learning.properties. */
    public static void build(JobConfig config, StreamExecutionEnvironment env) throws Exception {
        String bootstrap = config.required(KafkaOptions.BOOTSTRAP_SERVERS);
        Map<String, String> clientSettings = config.withPrefix(KafkaOptions.CLIENT_PREFIX);
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
        config.allow(LearningOptions.class); // read below, once the profile is loaded, by LearningJob.Settings.from
        config.get(ServingOptions.MAX_PARALLELISM);
        Duration startupTimeout = config.get(KafkaOptions.STARTUP_TIMEOUT);
        config.rejectUnknownKeys();

        KafkaConnection kafka = connection(config, bootstrap, clientSettings);
        ModelStoreSupplier modelStore = store == null ? null : storeAt(config, store);
        ReferenceProfile profile = profile(config, profilePath);
        LearningJob.Settings settings;
        try {
            settings = LearningJob.Settings.from(config, ReferenceBins.of(profile), modelStore, null);
        } catch (InvalidOptionException e) {
            throw config.error(e.key(), e.problem());
        }
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

}
