package io.loopline.operators.retraining;

import io.loopline.operators.drift.detectors.DetectorName;
import java.io.Serializable;
import java.util.Arrays;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * When the trainer fine-tunes a challenger. Any enabled cause may trigger; all share the cool-down
 * and the rate limit, so a flapping detector cannot retrain in a loop. Times are event times of the
 * labelled examples (replays and restores decide the same way).
 *
 * @param onDetectors detectors whose change points trigger (adwin, page-hinkley, ddm); empty: off
 * @param decayMetric rolling metric compared with the champion's reference (accuracy, auc; log_loss, brier are lower-is-better)
 * @param decayMargin trigger when the metric is worse than the reference by more than this; NaN: off
 * @param everyExamples trigger every this many new labelled examples; 0: off
 * @param schedule trigger every this much event time; null or zero: off
 * @param cooldown no trigger within this event time after the previous one
 * @param cooldownExamples nor within this many labelled examples after it (for streams whose event time says little, e.g. replays)
 * @param maxRetrains at most this many triggers within {@code rateWindow}
 * @param rateWindow the window of the rate limit
 * @param minExamples no training before the buffer holds this many examples
 * @param afterDriftExamples after a detector's change point, wait for this many labelled examples and train on those
 *     buffered since the change (the new regime) instead of the whole buffer; 0: train at once on the buffer
 */
public record RetrainPolicy(Set<String> onDetectors, String decayMetric, double decayMargin, long everyExamples, Duration schedule, Duration cooldown,
        long cooldownExamples, int maxRetrains, Duration rateWindow, int minExamples, long afterDriftExamples) implements Serializable {

    public static final Set<String> DETECTORS = Arrays.stream(DetectorName.values()).map(DetectorName::wireName).collect(Collectors.toUnmodifiableSet());

    public RetrainPolicy {
        onDetectors = Set.copyOf(onDetectors);
        for (String d : onDetectors) {
            if (!DETECTORS.contains(d)) {
                throw new IllegalArgumentException("retrain.on-drift: unknown detector '" + d + "' (known: " + DetectorName.choices() + ")");
            }
        }
        if (!GateMetric.isKnown(decayMetric)) {
            throw new IllegalArgumentException("retrain.decay-metric: unknown metric '" + decayMetric + "' (known: " + GateMetric.NAMES + ")");
        }
        if (decayMargin < 0) {
            throw new IllegalArgumentException("retrain.decay-margin must be >= 0 (or NaN for off), got " + decayMargin);
        }
        if (everyExamples < 0) {
            throw new IllegalArgumentException("retrain.every-examples must be >= 0, got " + everyExamples);
        }
        if (schedule != null && schedule.isNegative()) {
            throw new IllegalArgumentException("retrain.schedule must not be negative, got " + schedule);
        }
        if (cooldown == null || cooldown.isNegative()) {
            throw new IllegalArgumentException("retrain.cooldown must be >= 0, got " + cooldown);
        }
        if (cooldownExamples < 0) {
            throw new IllegalArgumentException("retrain.cooldown-examples must be >= 0, got " + cooldownExamples);
        }
        if (maxRetrains < 1 || rateWindow == null || rateWindow.isNegative()) {
            throw new IllegalArgumentException("retrain.max-retrains must be >= 1 per retrain.rate-window >= 0, got " + maxRetrains + " per " + rateWindow);
        }
        if (minExamples < 2) {
            throw new IllegalArgumentException("retrain.min-examples must be >= 2, got " + minExamples);
        }
        if (afterDriftExamples < 0) {
            throw new IllegalArgumentException("retrain.after-drift-examples must be >= 0, got " + afterDriftExamples);
        }
    }

    /** Drift from any detector, decay of accuracy by 5 points, at most 6 per day with 10 minutes between. */
    public static RetrainPolicy defaults() {
        return new RetrainPolicy(DETECTORS, "accuracy", 0.05, 0, null, Duration.ofMinutes(10), 0, 6, Duration.ofDays(1), 200, 0);
    }

    public RetrainPolicy withCooldown(Duration value) {
        return new RetrainPolicy(onDetectors, decayMetric, decayMargin, everyExamples, schedule, value, cooldownExamples, maxRetrains,
                rateWindow, minExamples, afterDriftExamples);
    }

    public RetrainPolicy withCooldownExamples(long value) {
        return new RetrainPolicy(onDetectors, decayMetric, decayMargin, everyExamples, schedule, cooldown, value, maxRetrains,
                rateWindow, minExamples, afterDriftExamples);
    }

    public RetrainPolicy withEveryExamples(long value) {
        return new RetrainPolicy(onDetectors, decayMetric, decayMargin, value, schedule, cooldown, cooldownExamples, maxRetrains,
                rateWindow, minExamples, afterDriftExamples);
    }

    public RetrainPolicy withSchedule(Duration value) {
        return new RetrainPolicy(onDetectors, decayMetric, decayMargin, everyExamples, value, cooldown, cooldownExamples, maxRetrains,
                rateWindow, minExamples, afterDriftExamples);
    }

    public RetrainPolicy withRateLimit(int max, Duration window) {
        return new RetrainPolicy(onDetectors, decayMetric, decayMargin, everyExamples, schedule, cooldown, cooldownExamples, max,
                window, minExamples, afterDriftExamples);
    }

    public RetrainPolicy withDetectors(Set<String> detectors) {
        return new RetrainPolicy(detectors, decayMetric, decayMargin, everyExamples, schedule, cooldown, cooldownExamples, maxRetrains,
                rateWindow, minExamples, afterDriftExamples);
    }

    public RetrainPolicy withDecay(String metric, double margin) {
        return new RetrainPolicy(onDetectors, metric, margin, everyExamples, schedule, cooldown, cooldownExamples, maxRetrains,
                rateWindow, minExamples, afterDriftExamples);
    }

    public RetrainPolicy withMinExamples(int value) {
        return new RetrainPolicy(onDetectors, decayMetric, decayMargin, everyExamples, schedule, cooldown, cooldownExamples, maxRetrains,
                rateWindow, value, afterDriftExamples);
    }

    public RetrainPolicy withAfterDriftExamples(long value) {
        return new RetrainPolicy(onDetectors, decayMetric, decayMargin, everyExamples, schedule, cooldown, cooldownExamples, maxRetrains, rateWindow, minExamples,
                value);
    }

    boolean scheduled() {
        return schedule != null && !schedule.isZero();
    }
}
