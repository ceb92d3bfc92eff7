package io.loopline.operators.retraining;

import io.loopline.operators.training.NetworkSettings;
import java.io.Serializable;
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
