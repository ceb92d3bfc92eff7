package io.loopline.jobs;

import static io.loopline.jobs.config.JobStartup.connection;
import static io.loopline.jobs.config.JobStartup.ensureTopics;
import static io.loopline.jobs.config.JobStartup.positive;
import static io.loopline.jobs.config.JobStartup.profile;
import static io.loopline.jobs.config.JobStartup.spec;
import static io.loopline.jobs.config.JobStartup.storeAt;

import io.loopline.jobs.config.JobConfig;
import io.loopline.jobs.config.KafkaOptions;
import io.loopline.jobs.config.ServingOptions;
import io.loopline.kafka.KafkaConnection;
import io.loopline.kafka.PredictionDelivery;
import io.loopline.operators.config.InvalidOptionException;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.scoring.ModelStoreSupplier;
import io.loopline.state.profile.ReferenceProfile;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The serving job from its keys (deploy/jobs/serving.properties, docs/configuration.md): what {@link ServingJob#main} runs. */
public final class ServingJobFromConfig {
    private ServingJobFromConfig() {}

    /** Keys of the serving job; see deploy/jobs/serving.properties. */
    public static void build(JobConfig config, StreamExecutionEnvironment env) throws Exception {
        // Every key is read and checked before anything is loaded or contacted: a typo fails in milliseconds.
        String bootstrap = config.required(KafkaOptions.BOOTSTRAP_SERVERS);
        Map<String, String> clientSettings = config.withPrefix(KafkaOptions.CLIENT_PREFIX);
        String specName = config.required(ServingOptions.SPEC);
        String profilePath = config.required(ServingOptions.PROFILE);
        String model = config.get(ServingOptions.MODEL_NAME);
        // Without a model the job computes features only: the online feature store of a team that scores elsewhere.
        String store = model != null ? config.required(ServingOptions.MODEL_STORE) : config.get(ServingOptions.MODEL_STORE);
        String features = config.get(KafkaOptions.FEATURES);
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
        ServingJob.Scoring scoring;
        try {
            scoring = ServingJob.Scoring.from(config, null, null, model, null); // wired to Kafka and the store once they are reached
        } catch (InvalidOptionException e) {
            throw config.error(e.key(), e.problem());
        }
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
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(events, partitions);
        if (model != null) {
            topics.put(predictions, partitions);
            topics.put(featureLog, partitions);
            topics.put(shadowLog, partitions);
            topics.put(models, 1);
        } else {
            topics.put(features, partitions);
        }
        topics.put(deadLetters, 1);
        if (spec.hasLabelHistory()) {
            topics.put(labels, partitions);
        }
        ModelStoreSupplier modelStore = model != null ? storeAt(config, store) : null;
        ensureTopics(config, kafka, topics, Set.of(models), startupTimeout);
        ServingJob serving = new ServingJob(KafkaIo.events(kafka, events, group, false), model != null ? null : KafkaIo.features(kafka, features, spec.name(), group),
                KafkaIo.deadLetters(kafka, deadLetters, group), new ServingJob.Settings(spec, profile.fit(), maxParallelism));
        if (spec.hasLabelHistory()) {
            serving.withLabels(KafkaIo.raw(kafka, labels, group));
        }
        if (model == null) {
            serving.build(env);
            return;
        }
        serving
                .withScoring(scoring.wiredTo(KafkaIo.models(kafka, models, group, false),
                        KafkaIo.predictions(kafka, predictions, group, delivery.guarantee()), modelStore))
                .withFeatureLog(KafkaIo.featureLog(kafka, featureLog, spec.name(), group))
                .withShadowLog(KafkaIo.shadowLog(kafka, shadowLog, spec.name(), group))
                .build(env);
    }

}
