package io.loopline.jobs.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import org.apache.flink.configuration.ConfigOption;

/**
 * Initial training (and warm-started retraining) on a backfill's training set: the network, the
 * passes over the set and the time-based split. The spec, store and model name are serving's keys.
 */
public final class TrainingOptions {
    public static final ConfigOption<String> BACKFILL = key("train.backfill").stringType().noDefaultValue()
            .withDescription("The backfill's output folder (its training/ is read), on any Flink file system. Required by training.");
    public static final ConfigOption<String> HIDDEN = key("train.hidden").stringType().defaultValue("32,16")
            .withDescription("Hidden layer widths, comma-separated; none for logistic regression.");
    public static final ConfigOption<String> ACTIVATION = key("train.activation").stringType().defaultValue("relu")
            .withDescription("The hidden layers' activation (a DL4J Activation name).");
    public static final ConfigOption<Double> LEARNING_RATE = key("train.learning-rate").doubleType().defaultValue(0.003)
            .withDescription("Adam's learning rate.");
    public static final ConfigOption<Double> L2 = key("train.l2").doubleType().defaultValue(1e-4)
            .withDescription("L2 regularization.");
    public static final ConfigOption<Integer> EPOCHS = key("train.epochs").intType().defaultValue(5)
            .withDescription("Passes over the training rows; each reads the set again from a local spill file, in shuffled batches.");
    public static final ConfigOption<Integer> BATCH_SIZE = key("train.batch-size").intType().defaultValue(256)
            .withDescription("Rows per gradient step.");
    public static final ConfigOption<Double> VALIDATION_FRACTION = key("train.validation-fraction").doubleType().defaultValue(0.2)
            .withDescription("The most recent share of rows (by event time) held out to validate, never shuffled across the split.");
    public static final ConfigOption<Long> SEED = key("train.seed").longType().defaultValue(7L)
            .withDescription("Seed of the initialization and the shuffles.");
    public static final ConfigOption<Long> WARM_START_FROM = key("train.warm-start-from").longType().noDefaultValue()
            .withDescription("Continue training this published version of model.name (weights and optimizer state) instead of a new network.");

    private TrainingOptions() {}
}
