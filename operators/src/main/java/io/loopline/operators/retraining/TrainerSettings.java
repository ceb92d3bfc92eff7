package io.loopline.operators.retraining;

import io.loopline.operators.config.OptionReader;
import io.loopline.operators.training.NetworkSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.Set;
import org.apache.flink.configuration.ReadableConfig;
import java.util.Objects;

/**
 * The continual trainer's configuration.
 *
 * @param model the model name in the store (the champion is its latest version)
 * @param mode stateful (warm start) or stateless (from scratch)
 * @param network the architecture of a from-scratch challenger, and its learning rate and seed
 * @param bufferSize labelled examples kept for training (a recency-biased reservoir)
 * @param holdoutFraction the most recent share of the buffer (by event time) kept out of training to judge champion and challenger
 * @param epochs passes over the training rows per challenger
 * @param batchSize rows per gradient step
 * @param batchesPerStep gradient steps between two looks at the stream (bounds the time the task thread trains in one go)
 * @param stepIntervalMillis processing time between two training steps
 * @param rollbackMargin roll back a promoted version whose live accuracy is below its predecessor's by more than this; NaN: off
 * @param rollbackMinExamples live examples a promoted version is judged on
 * @param online how the online mode learns and publishes (used only in {@link TrainingMode#ONLINE})
 */
public record TrainerSettings(String model, TrainingMode mode, RetrainPolicy policy, PromotionGate gate, NetworkSettings network, int bufferSize,
        double holdoutFraction, int epochs, int batchSize, int batchesPerStep, long stepIntervalMillis, double rollbackMargin,
        long rollbackMinExamples, OnlineLearning online) implements Serializable {

    public TrainerSettings {
        Objects.requireNonNull(model, "trainer.model");
        Objects.requireNonNull(mode, "trainer.mode");
        Objects.requireNonNull(policy, "retrain policy");
        Objects.requireNonNull(gate, "gate");
        Objects.requireNonNull(online, "online learning settings");
        if (mode == TrainingMode.STATELESS && network == null) {
            throw new IllegalArgumentException("trainer.network is required for stateless retraining (the architecture to train from scratch)");
        }
        if (bufferSize < 2) {
            throw new IllegalArgumentException("trainer.buffer-size must be >= 2, got " + bufferSize);
        }
        if (!(holdoutFraction > 0 && holdoutFraction < 1)) {
            throw new IllegalArgumentException("trainer.holdout-fraction must be in (0, 1), got " + holdoutFraction);
        }
        if (epochs < 1 || batchSize < 1 || batchesPerStep < 1 || stepIntervalMillis < 0) {
            throw new IllegalArgumentException("trainer.epochs, trainer.batch-size and trainer.batches-per-step must be >= 1 and trainer.step-interval >= 0");
        }
        if (rollbackMargin < 0 || rollbackMinExamples < 1) {
            throw new IllegalArgumentException("rollback.margin must be >= 0 (NaN: off) and rollback.min-examples >= 1");
        }
    }

    /** Defaults for a mode: 20k-example buffer, newest 20 % as holdout, 3 epochs warm or 10 from scratch, batches of 64. */
    public static TrainerSettings defaults(String model, TrainingMode mode, NetworkSettings network) {
        return new TrainerSettings(model, mode, RetrainPolicy.defaults(), PromotionGate.defaults(), network, 20_000, 0.2,
                mode == TrainingMode.STATELESS ? 10 : 3, 64, 16, 1, 0.05, 500, OnlineLearning.defaults());
    }

    /**
     * The settings of {@code config}'s {@link TrainerOptions} for {@code model}, in the mode of
     * {@link TrainerOptions#MODE} (which must not be off). Every value is checked against its bounds
     * first: an invalid one throws {@link io.loopline.operators.config.InvalidOptionException}
     * naming its key.
     */
    public static TrainerSettings from(ReadableConfig config, String model) {
        TrainingMode mode = TrainerOptions.mode(config)
                .orElseThrow(() -> OptionReader.invalid(TrainerOptions.MODE, "the trainer needs a mode: stateful, stateless or online"));
        var read = new OptionReader(config);
        Duration schedule = read.nonNegative(TrainerOptions.SCHEDULE);
        RetrainPolicy policy = new RetrainPolicy(read.subsetOf(TrainerOptions.ON_DRIFT, RetrainPolicy.DETECTORS),
                read.oneOf(TrainerOptions.DECAY_METRIC, Set.copyOf(GateMetric.NAMES), false), read.offOrAtLeast(TrainerOptions.DECAY_MARGIN, 0),
                read.atLeast(TrainerOptions.EVERY_EXAMPLES, 0L), schedule.isZero() ? null : schedule, read.nonNegative(TrainerOptions.COOLDOWN),
                read.atLeast(TrainerOptions.COOLDOWN_EXAMPLES, 0L), read.atLeast(TrainerOptions.MAX_RETRAINS, 1),
                read.nonNegative(TrainerOptions.RATE_WINDOW), read.atLeast(TrainerOptions.MIN_EXAMPLES, 2),
                read.atLeast(TrainerOptions.AFTER_DRIFT_EXAMPLES, 0L));
        PromotionGate gate = new PromotionGate(read.oneOf(TrainerOptions.GATE_METRIC, Set.copyOf(GateMetric.NAMES), false),
                read.number(TrainerOptions.GATE_MARGIN), read.oneOf(TrainerOptions.GATE_GUARD_METRIC, Set.copyOf(GateMetric.NAMES), true),
                read.atLeast(TrainerOptions.GATE_GUARD_TOLERANCE, 0.0))
                .withShadow(read.atLeast(TrainerOptions.GATE_SHADOW_EXAMPLES, 0L), read.number(TrainerOptions.GATE_SHADOW_MARGIN),
                        read.positive(TrainerOptions.GATE_SHADOW_TIMEOUT));
        int batchSize = read.atLeast(TrainerOptions.BATCH_SIZE, 1);
        double learningRate = read.number(TrainerOptions.SCRATCH_LEARNING_RATE);
        if (!(learningRate > 0)) {
            throw OptionReader.invalid(TrainerOptions.SCRATCH_LEARNING_RATE, "must be positive, got " + learningRate);
        }
        NetworkSettings scratch = new NetworkSettings(read.layerWidths(TrainerOptions.SCRATCH_HIDDEN), "relu", learningRate, 1e-4, 1, batchSize, 7);
        Integer epochs = config.getOptional(TrainerOptions.EPOCHS).orElse(null);
        if (epochs != null && epochs < 1) {
            throw OptionReader.invalid(TrainerOptions.EPOCHS, "must be at least 1, got " + epochs);
        }
        OnlineLearning online = new OnlineLearning(read.between(TrainerOptions.ONLINE_BATCH_SIZE, 1, 64),
                read.atLeast(TrainerOptions.ONLINE_PUBLISH_EVERY_LABELS, 1L), read.nonNegative(TrainerOptions.ONLINE_PUBLISH_EVERY).toMillis(),
                read.atLeast(TrainerOptions.ONLINE_COMPARE_ROWS, 1), read.atLeast(TrainerOptions.ONLINE_MARGIN, 0.0),
                read.atLeast(TrainerOptions.ONLINE_DRIFT_BOOST, 1.0), read.atLeast(TrainerOptions.ONLINE_BOOST_EXAMPLES, 0L));
        return new TrainerSettings(model, mode, policy, gate, scratch, read.atLeast(TrainerOptions.BUFFER_SIZE, 2),
                read.inside(TrainerOptions.HOLDOUT_FRACTION, 0, 1), epochs != null ? epochs : mode == TrainingMode.STATELESS ? 10 : 3, batchSize,
                read.atLeast(TrainerOptions.BATCHES_PER_STEP, 1), 1, read.offOrAtLeast(TrainerOptions.ROLLBACK_MARGIN, 0),
                read.atLeast(TrainerOptions.ROLLBACK_MIN_EXAMPLES, 1L), online);
    }

    public TrainerSettings withPolicy(RetrainPolicy value) {
        return new TrainerSettings(model, mode, value, gate, network, bufferSize, holdoutFraction, epochs, batchSize, batchesPerStep, stepIntervalMillis,
                rollbackMargin, rollbackMinExamples, online);
    }

    public TrainerSettings withGate(PromotionGate value) {
        return new TrainerSettings(model, mode, policy, value, network, bufferSize, holdoutFraction, epochs, batchSize, batchesPerStep, stepIntervalMillis,
                rollbackMargin, rollbackMinExamples, online);
    }

    public TrainerSettings withBuffer(int size, double holdout) {
        return new TrainerSettings(model, mode, policy, gate, network, size, holdout, epochs, batchSize, batchesPerStep, stepIntervalMillis,
                rollbackMargin, rollbackMinExamples, online);
    }

    public TrainerSettings withTraining(int epochsValue, int batchSizeValue, int batchesPerStepValue) {
        return new TrainerSettings(model, mode, policy, gate, network, bufferSize, holdoutFraction, epochsValue, batchSizeValue, batchesPerStepValue,
                stepIntervalMillis, rollbackMargin, rollbackMinExamples, online);
    }

    public TrainerSettings withOnline(OnlineLearning value) {
        return new TrainerSettings(model, mode, policy, gate, network, bufferSize, holdoutFraction, epochs, batchSize, batchesPerStep, stepIntervalMillis,
                rollbackMargin, rollbackMinExamples, value);
    }

    public TrainerSettings withRollback(double margin, long minExamples) {
        return new TrainerSettings(model, mode, policy, gate, network, bufferSize, holdoutFraction, epochs, batchSize, batchesPerStep, stepIntervalMillis,
                margin, minExamples, online);
    }
}
