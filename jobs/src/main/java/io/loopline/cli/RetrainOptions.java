package io.loopline.cli;

import io.loopline.operators.retraining.OnlineLearning;
import io.loopline.operators.retraining.PromotionGate;
import io.loopline.operators.retraining.RetrainPolicy;
import io.loopline.operators.retraining.TrainerSettings;
import io.loopline.operators.retraining.TrainingMode;
import io.loopline.operators.training.NetworkSettings;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The continual trainer's options, shared by {@code learn} and {@code evaluate}: policy, buffer, training, gate, rollback. */
final class RetrainOptions {
    @Option(names = "--retrain-on-drift", split = ",", defaultValue = "adwin,page-hinkley,ddm",
            description = "Detectors whose change points trigger retraining; 'none' for none (default: ${DEFAULT-VALUE}).")
    List<String> onDrift;

    @Option(names = "--decay-metric", defaultValue = "accuracy", description = "Rolling metric compared with the champion's validation value (default: ${DEFAULT-VALUE}).")
    String decayMetric;

    @Option(names = "--decay-margin", defaultValue = "0.05",
            description = "Retrain when the rolling metric is worse than the champion's validation value by more than this; 'off' to disable (default: ${DEFAULT-VALUE}).")
    String decayMargin;

    @Option(names = "--retrain-every", defaultValue = "0", description = "Retrain every this many new labelled examples; 0: off (default: ${DEFAULT-VALUE}).")
    long every;

    @Option(names = "--retrain-schedule", defaultValue = "0s",
            description = "Retrain every this much event time; 0s: off (default: ${DEFAULT-VALUE}).")
    Duration schedule;

    @Option(names = "--retrain-cooldown", defaultValue = "10min",
            description = "No new retraining within this event time of the previous one (default: ${DEFAULT-VALUE}).")
    Duration cooldown;

    @Option(names = "--retrain-cooldown-examples", defaultValue = "0",
            description = "Nor within this many labelled examples of it (default: ${DEFAULT-VALUE}).")
    long cooldownExamples;

    @Option(names = "--max-retrains", defaultValue = "6", description = "At most this many retrainings per --rate-window (default: ${DEFAULT-VALUE}).")
    int maxRetrains;

    @Option(names = "--rate-window", defaultValue = "1d", description = "Window of --max-retrains (default: ${DEFAULT-VALUE}).")
    Duration rateWindow;

    @Option(names = "--min-examples", defaultValue = "200", description = "Buffered examples needed before training (default: ${DEFAULT-VALUE}).")
    int minExamples;

    @Option(names = "--buffer-size", defaultValue = "20000", description = "Labelled examples kept for training, recency-biased (default: ${DEFAULT-VALUE}).")
    int bufferSize;

    @Option(names = "--holdout-fraction", defaultValue = "0.2",
            description = "Newest share of the buffer held out to judge champion and challenger (default: ${DEFAULT-VALUE}).")
    double holdoutFraction;

    @Option(names = "--retrain-epochs", description = "Passes over the buffer per challenger (default: 3 stateful, 10 stateless).")
    Integer epochs;

    @Option(names = "--after-drift-examples", defaultValue = "0",
            description = "After a detector's change point, wait for this many labelled examples and fine-tune on those buffered since the change"
                    + " (the new regime) rather than the whole buffer; 0: at once, on the whole buffer (default: ${DEFAULT-VALUE}).")
    long afterDriftExamples;

    @Option(names = "--retrain-batch-size", defaultValue = "64", description = "Rows per gradient step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--batches-per-step", defaultValue = "16",
            description = "Gradient steps between two looks at the stream (default: ${DEFAULT-VALUE}).")
    int batchesPerStep;

    @Option(names = "--scratch-hidden", split = ",", defaultValue = "32,16",
            description = "Stateless challengers: hidden layer widths; none for logistic regression (default: ${DEFAULT-VALUE}).")
    List<String> scratchHidden;

    @Option(names = "--scratch-learning-rate", defaultValue = "0.003", description = "Stateless challengers: Adam learning rate (default: ${DEFAULT-VALUE}).")
    double scratchLearningRate;

    @Option(names = "--gate-metric", defaultValue = "accuracy", description = "Metric a challenger must beat the champion on (default: ${DEFAULT-VALUE}).")
    String gateMetric;

    @Option(names = "--gate-margin", defaultValue = "0.005", description = "By at least this much, on the holdout (default: ${DEFAULT-VALUE}).")
    double gateMargin;

    @Option(names = "--guard-metric", defaultValue = "log_loss", description = "Metric it may not be much worse on; 'none' for none (default: ${DEFAULT-VALUE}).")
    String guardMetric;

    @Option(names = "--guard-tolerance", defaultValue = "0.05", description = "How much worse it may be on the guard metric (default: ${DEFAULT-VALUE}).")
    double guardTolerance;

    @Option(names = "--gate-shadow-examples", defaultValue = "0",
            description = "After the holdout, run the challenger as a shadow in serving until the learning job has evaluated it on this many live"
                    + " labelled examples (compared with the champion's accuracy on the same event-time windows); 0: promote on the holdout alone (default: ${DEFAULT-VALUE}).")
    long gateShadowExamples;

    @Option(names = "--gate-shadow-margin", defaultValue = "0",
            description = "The shadow's live accuracy must be at least the champion's plus this (default: ${DEFAULT-VALUE}).")
    double gateShadowMargin;

    @Option(names = "--gate-shadow-timeout", defaultValue = "1h",
            description = "Reject a shadow without a live verdict after this much wall-clock time (default: ${DEFAULT-VALUE}).")
    java.time.Duration gateShadowTimeout;

    @Option(names = "--rollback-margin", defaultValue = "0.05",
            description = "Roll a promoted version back when its live accuracy is below its predecessor's by more than this; 'off' to disable (default: ${DEFAULT-VALUE}).")
    String rollbackMargin;

    @Option(names = "--rollback-min-examples", defaultValue = "500", description = "Live examples a promoted version is judged on (default: ${DEFAULT-VALUE}).")
    long rollbackMinExamples;

    @Option(names = "--online-batch-size", defaultValue = "16",
            description = "Online policy: labelled examples per gradient step, in the order they are joined, 1-64 (default: ${DEFAULT-VALUE}).")
    int onlineBatchSize;

    @Option(names = "--publish-every-labels", defaultValue = "500",
            description = "Online policy: judge and publish a snapshot after this many labels learned (default: ${DEFAULT-VALUE}).")
    long publishEveryLabels;

    @Option(names = "--publish-every",
            description = "Online policy: also after this much wall-clock time with something new learned; 0s: by labels only"
                    + " (default: 1min for learn, 0s for evaluate, whose results must not depend on the machine's speed).")
    Duration publishEvery;

    @Option(names = "--online-compare-rows", defaultValue = "500",
            description = "Online policy: a snapshot is judged on the newest this many labelled rows, its prequential accuracy against the served"
                    + " model's on the same rows (default: ${DEFAULT-VALUE}).")
    int onlineCompareRows;

    @Option(names = "--online-margin", defaultValue = "0.01",
            description = "Online policy: publish unless the snapshot is worse than the served model by more than this (default: ${DEFAULT-VALUE}).")
    double onlineMargin;

    @Option(names = "--drift-boost", defaultValue = "4",
            description = "Online policy: after a change point of the served model's errors (--retrain-on-drift), multiply the learning rate by this;"
                    + " 1: off (default: ${DEFAULT-VALUE}).")
    double driftBoost;

    @Option(names = "--boost-examples", defaultValue = "1000",
            description = "Online policy: for this many labelled examples (default: ${DEFAULT-VALUE}).")
    long boostExamples;

    TrainerSettings settings(String model, TrainingMode mode) {
        return settings(model, mode, Duration.ofMinutes(1));
    }

    /** @param defaultPublishEvery the online policy's publishing interval when --publish-every is not given */
    TrainerSettings settings(String model, TrainingMode mode, Duration defaultPublishEvery) {
        var detectors = new HashSet<String>();
        for (String d : onDrift) {
            if (!d.isBlank() && !d.equals("none")) {
                detectors.add(d.trim().toLowerCase(Locale.ROOT));
            }
        }
        RetrainPolicy policy = new RetrainPolicy(detectors, decayMetric, offOrNumber("--decay-margin", decayMargin), every, schedule, cooldown,
                cooldownExamples, maxRetrains, rateWindow, minExamples, afterDriftExamples);
        PromotionGate gate = new PromotionGate(gateMetric, gateMargin, guardMetric.equals("none") ? null : guardMetric, guardTolerance)
                .withShadow(gateShadowExamples, gateShadowMargin, gateShadowTimeout);
        List<Integer> hidden = scratchHidden.stream().filter(h -> !h.isBlank() && !h.equals("none")).map(h -> {
            try {
                return Integer.parseInt(h.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--scratch-hidden: '" + h + "' is not a layer width");
            }
        }).toList();
        NetworkSettings network = new NetworkSettings(hidden, "relu", scratchLearningRate, 1e-4, 1, batchSize, 7);
        int passes = epochs != null ? epochs : (mode == TrainingMode.STATEFUL ? 3 : 10);
        OnlineLearning online = new OnlineLearning(onlineBatchSize, publishEveryLabels, (publishEvery != null ? publishEvery : defaultPublishEvery).toMillis(),
                onlineCompareRows, onlineMargin, driftBoost, boostExamples);
        return new TrainerSettings(model, mode, policy, gate, network, bufferSize, holdoutFraction, passes, batchSize, batchesPerStep, 1,
                offOrNumber("--rollback-margin", rollbackMargin), rollbackMinExamples, online);
    }

    private static double offOrNumber(String option, String value) {
        if (value.equals("off")) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + value + "' is neither a number nor 'off'");
        }
    }
}
