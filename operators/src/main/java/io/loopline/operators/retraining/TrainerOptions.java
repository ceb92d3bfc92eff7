package io.loopline.operators.retraining;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.loopline.operators.config.OptionReader;
import io.loopline.operators.drift.detectors.DetectorName;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

/**
 * How the learning job keeps learning: when it retrains, on what, how a challenger is judged and
 * rolled back, and the online mode. Every trainer setting is declared here once; the defaults are
 * those of {@link TrainerSettings#defaults}, {@link RetrainPolicy#defaults()},
 * {@link PromotionGate#defaults()} and {@link OnlineLearning#defaults()}.
 * {@link TrainerSettings#from(ReadableConfig, String)} reads them.
 */
public final class TrainerOptions {
    private static final RetrainPolicy POLICY = RetrainPolicy.defaults();
    private static final TrainerSettings TRAINER = TrainerSettings.defaults("defaults", TrainingMode.STATEFUL, null);
    private static final PromotionGate GATE = PromotionGate.defaults();
    private static final OnlineLearning ONLINE = OnlineLearning.defaults();

    public static final ConfigOption<String> MODE = key("retrain.mode").stringType().defaultValue("off")
            .withDescription("off, stateful (fine-tune the champion when triggered), stateless (from scratch) or online (the champion learns"
                    + " from every labelled mini-batch).");

    public static final ConfigOption<String> ON_DRIFT = key("retrain.on-drift").stringType()
            .defaultValue(Arrays.stream(DetectorName.values()).map(DetectorName::wireName).collect(Collectors.joining(",")))
            .withDescription("Detectors whose change points trigger retraining (and, online, the learning-rate boost), comma-separated;"
                    + " none for none.");
    public static final ConfigOption<String> DECAY_METRIC = key("retrain.decay-metric").stringType().defaultValue(POLICY.decayMetric())
            .withDescription("The rolling metric compared with the champion's validation value: accuracy, auc, log_loss or brier.");
    public static final ConfigOption<String> DECAY_MARGIN = key("retrain.decay-margin").stringType().defaultValue(String.valueOf(POLICY.decayMargin()))
            .withDescription("Retrain when that metric is worse than the champion's validation value by more than this; off to disable.");
    public static final ConfigOption<Long> EVERY_EXAMPLES = key("retrain.every-examples").longType().defaultValue(POLICY.everyExamples())
            .withDescription("Also retrain after this many new labelled examples (0: only on drift and decay).");
    public static final ConfigOption<Duration> SCHEDULE = key("retrain.schedule").durationType().defaultValue(Duration.ZERO)
            .withDescription("Also retrain every this much event time (0: off).");
    public static final ConfigOption<Duration> COOLDOWN = key("retrain.cooldown").durationType().defaultValue(POLICY.cooldown())
            .withDescription("No new retraining within this event time of the previous one.");
    public static final ConfigOption<Long> COOLDOWN_EXAMPLES = key("retrain.cooldown-examples").longType().defaultValue(POLICY.cooldownExamples())
            .withDescription("Nor within this many labelled examples of it (for streams whose event time says little, e.g. replays).");
    public static final ConfigOption<Integer> MAX_RETRAINS = key("retrain.max-retrains").intType().defaultValue(POLICY.maxRetrains())
            .withDescription("At most this many retrainings per rate window.");
    public static final ConfigOption<Duration> RATE_WINDOW = key("retrain.rate-window").durationType().defaultValue(POLICY.rateWindow())
            .withDescription("The window of the rate limit.");
    public static final ConfigOption<Integer> MIN_EXAMPLES = key("retrain.min-examples").intType().defaultValue(POLICY.minExamples())
            .withDescription("No retraining before the buffer holds this many labelled examples.");
    public static final ConfigOption<Long> AFTER_DRIFT_EXAMPLES = key("retrain.after-drift-examples").longType()
            .defaultValue(POLICY.afterDriftExamples())
            .withDescription("After a detector's change point, wait for this many labelled examples and train on those (0: at once, on the buffer).");
    public static final ConfigOption<Integer> BUFFER_SIZE = key("retrain.buffer-size").intType().defaultValue(TRAINER.bufferSize())
            .withDescription("Labelled examples in the recency-biased training buffer.");
    public static final ConfigOption<Double> HOLDOUT_FRACTION = key("retrain.holdout-fraction").doubleType().defaultValue(TRAINER.holdoutFraction())
            .withDescription("The newest fraction of the buffer a challenger is judged on and never trained on.");
    public static final ConfigOption<Integer> EPOCHS = key("retrain.epochs").intType().noDefaultValue()
            .withDescription("Passes over the buffer per challenger (unset: 3 stateful, 10 stateless).");
    public static final ConfigOption<Integer> BATCH_SIZE = key("retrain.batch-size").intType().defaultValue(TRAINER.batchSize())
            .withDescription("Rows per gradient step of a challenger.");
    public static final ConfigOption<Integer> BATCHES_PER_STEP = key("retrain.batches-per-step").intType().defaultValue(TRAINER.batchesPerStep())
            .withDescription("Gradient steps between two looks at the stream (bounds how long the task thread trains in one go).");
    public static final ConfigOption<String> SCRATCH_HIDDEN = key("retrain.scratch-hidden").stringType().defaultValue("32,16")
            .withDescription("stateless: hidden layer widths of a challenger trained from scratch (none: logistic regression).");
    public static final ConfigOption<Double> SCRATCH_LEARNING_RATE = key("retrain.scratch-learning-rate").doubleType().defaultValue(0.003)
            .withDescription("stateless: the Adam learning rate of a challenger trained from scratch.");

    public static final ConfigOption<String> GATE_METRIC = key("gate.metric").stringType().defaultValue(GATE.metric())
            .withDescription("The holdout metric a challenger must improve: accuracy, auc, log_loss or brier.");
    public static final ConfigOption<Double> GATE_MARGIN = key("gate.margin").doubleType().defaultValue(GATE.margin())
            .withDescription("... by at least this much.");
    public static final ConfigOption<String> GATE_GUARD_METRIC = key("gate.guard-metric").stringType().defaultValue(GATE.guardMetric())
            .withDescription("A second holdout metric the challenger must not make worse (none for none) ...");
    public static final ConfigOption<Double> GATE_GUARD_TOLERANCE = key("gate.guard-tolerance").doubleType().defaultValue(GATE.guardTolerance())
            .withDescription("... by more than this.");
    public static final ConfigOption<Long> GATE_SHADOW_EXAMPLES = key("gate.shadow-examples").longType().defaultValue(GATE.shadowExamples())
            .withDescription("Shadow stage: a challenger that passed the holdout serves as a shadow until this many live labelled examples"
                    + " (0: promoted at once).");
    public static final ConfigOption<Double> GATE_SHADOW_MARGIN = key("gate.shadow-margin").doubleType().defaultValue(GATE.shadowMargin())
            .withDescription("The shadow is promoted if its live accuracy is at least the champion's plus this, on the same events.");
    public static final ConfigOption<Duration> GATE_SHADOW_TIMEOUT = key("gate.shadow-timeout").durationType()
            .defaultValue(PromotionGate.DEFAULT_SHADOW_TIMEOUT).withDescription("A shadow without a verdict after this long is rejected.");

    public static final ConfigOption<String> ROLLBACK_MARGIN = key("rollback.margin").stringType().defaultValue(String.valueOf(TRAINER.rollbackMargin()))
            .withDescription("Roll a promoted version back when its live accuracy is below its predecessor's by more than this; off to disable.");
    public static final ConfigOption<Long> ROLLBACK_MIN_EXAMPLES = key("rollback.min-examples").longType().defaultValue(TRAINER.rollbackMinExamples())
            .withDescription("Live labelled examples a promoted version is judged on.");

    public static final ConfigOption<Integer> ONLINE_BATCH_SIZE = key("online.batch-size").intType().defaultValue(ONLINE.batchSize())
            .withDescription("online: labelled examples per gradient step (1-64), in the order the join emits them.");
    public static final ConfigOption<Long> ONLINE_PUBLISH_EVERY_LABELS = key("online.publish-every-labels").longType()
            .defaultValue(ONLINE.publishEveryLabels()).withDescription("online: a snapshot is judged and published after this many labels.");
    public static final ConfigOption<Duration> ONLINE_PUBLISH_EVERY = key("online.publish-every").durationType()
            .defaultValue(Duration.ofMillis(ONLINE.publishEveryMillis()))
            .withDescription("online: ... or after this much processing time with something new learned (0: by labels only).");
    public static final ConfigOption<Integer> ONLINE_COMPARE_ROWS = key("online.compare-rows").intType().defaultValue(ONLINE.compareRows())
            .withDescription("online: a snapshot is judged on the newest this many rows against what served them.");
    public static final ConfigOption<Double> ONLINE_MARGIN = key("online.margin").doubleType().defaultValue(ONLINE.margin())
            .withDescription("online: a snapshot is published unless it is worse than the served model by more than this.");
    public static final ConfigOption<Double> ONLINE_DRIFT_BOOST = key("online.drift-boost").doubleType().defaultValue(ONLINE.driftBoost())
            .withDescription("online: the learning rate is multiplied by this after a change point of the served model's errors (1: off) ...");
    public static final ConfigOption<Long> ONLINE_BOOST_EXAMPLES = key("online.boost-examples").longType().defaultValue(ONLINE.boostExamples())
            .withDescription("online: ... for this many labelled examples.");

    private TrainerOptions() {}

    /** The retraining mode, or empty for {@code off}. */
    public static Optional<TrainingMode> mode(ReadableConfig config) {
        String value = config.get(MODE).trim();
        if (value.equals("off")) {
            return Optional.empty();
        }
        for (TrainingMode mode : TrainingMode.values()) {
            if (mode.label().equals(value)) {
                return Optional.of(mode);
            }
        }
        throw OptionReader.invalid(MODE, "'" + value + "' is not off, stateful, stateless or online");
    }
}
