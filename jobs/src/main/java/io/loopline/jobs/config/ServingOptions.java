package io.loopline.jobs.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.loopline.kafka.PredictionDelivery;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/** The serving job: its feature spec, reference profile, model, micro-batches and delivery. */
public final class ServingOptions {
    public static final ConfigOption<String> SPEC = key("spec").stringType().noDefaultValue()
            .withDescription("The feature spec: a built-in name (transactions, elec2) or a YAML file. Required by serving and backfill.");
    public static final ConfigOption<String> PROFILE = key("profile").stringType().noDefaultValue()
            .withDescription("The reference profile the backfill wrote (profile.json), on any Flink file system. Required.");
    public static final ConfigOption<String> MODEL_NAME = key("model.name").stringType().noDefaultValue()
            .withDescription("The model's name in the store. Serving without it computes features only (to topics.features); the learning job takes fraud when not set.");
    public static final ConfigOption<String> MODEL_STORE = key("model.store").stringType().noDefaultValue()
            .withDescription("The model store's folder on a file system every TaskManager reads (file:///shared/models, s3://bucket/models)."
                    + " Required by serving, and by learning when it retrains.");
    public static final ConfigOption<Integer> MAX_PARALLELISM = key("max-parallelism").intType().defaultValue(128)
            .withDescription("The jobs' max parallelism: the number of key groups, fixed for the life of the state.");
    public static final ConfigOption<Integer> SCORING_BATCH_SIZE = key("scoring.batch-size").intType().defaultValue(256)
            .withDescription("Events scored in one DL4J call.");
    public static final ConfigOption<Duration> SCORING_MAX_BATCH_DELAY = key("scoring.max-batch-delay").durationType()
            .defaultValue(Duration.ofMillis(5)).withDescription("A partial micro-batch is scored after this long (at low rates, the longest an event waits for its batch).");
    public static final ConfigOption<Integer> SCORING_MAX_HELD = key("scoring.max-held").intType().defaultValue(100_000)
            .withDescription("Events held while no model serves yet; beyond it the source is back-pressured.");
    public static final ConfigOption<String> PREDICTIONS_DELIVERY = key("predictions.delivery").stringType()
            .defaultValue(PredictionDelivery.EXACTLY_ONCE.key())
            .withDescription("exactly-once (transactional: readable at checkpoints) or at-least-once (written at once, key = event id).");

    private ServingOptions() {}
}
