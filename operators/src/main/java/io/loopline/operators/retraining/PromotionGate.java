package io.loopline.operators.retraining;

import io.loopline.operators.metrics.BinaryMetrics;
import java.io.Serializable;

/**
 * Decides whether a challenger replaces the champion: on the same holdout it must beat the champion
 * by at least {@code margin} on {@code metric}, and may be worse on {@code guardMetric} by at most
 * {@code guardTolerance}. A metric that cannot be computed on the holdout (AUC with one class) fails.
 *
 * <p>With {@code shadowExamples > 0} a challenger that passes the holdout is not promoted yet: it
 * runs as a shadow in serving until the learning job has evaluated it on that many live labelled
 * examples, and is promoted only if its live accuracy is at least the champion's on the same
 * event-time windows plus {@code shadowMargin} (see {@link ShadowComparison}); without a verdict
 * within {@code shadowTimeoutMillis} of processing time (the shadow log is not flowing) it is rejected.
 */
public record PromotionGate(String metric, double margin, String guardMetric, double guardTolerance, long shadowExamples, double shadowMargin,
        long shadowTimeoutMillis) implements Serializable {

    public PromotionGate {
        if (!GateMetric.isKnown(metric)) {
            throw new IllegalArgumentException("gate.metric: unknown metric '" + metric + "' (known: " + GateMetric.NAMES + ")");
        }
        if (guardMetric != null && !GateMetric.isKnown(guardMetric)) {
            throw new IllegalArgumentException("gate.guard-metric: unknown metric '" + guardMetric + "' (known: " + GateMetric.NAMES + ")");
        }
        if (Double.isNaN(margin) || Double.isNaN(guardTolerance) || guardTolerance < 0) {
            throw new IllegalArgumentException("gate.margin must be a number and gate.guard-tolerance >= 0, got " + margin + " and " + guardTolerance);
        }
        if (shadowExamples < 0 || Double.isNaN(shadowMargin) || shadowTimeoutMillis < 1) {
            throw new IllegalArgumentException("gate.shadow-examples: must be >= 0 (0 for no shadow stage), gate.shadow-margin a number and"
                    + " gate.shadow-timeout positive, got " + shadowExamples + ", " + shadowMargin + " and " + shadowTimeoutMillis + " ms");
        }
    }

    /** Without a shadow stage: the holdout decides. */
    public PromotionGate(String metric, double margin, String guardMetric, double guardTolerance) {
        this(metric, margin, guardMetric, guardTolerance, 0, 0, DEFAULT_SHADOW_TIMEOUT.toMillis());
    }

    public static final java.time.Duration DEFAULT_SHADOW_TIMEOUT = java.time.Duration.ofHours(1);

    /** The same gate, then a shadow stage of {@code examples} live labelled examples (0: none). */
    public PromotionGate withShadow(long examples, double liveMargin) {
        return withShadow(examples, liveMargin, DEFAULT_SHADOW_TIMEOUT);
    }

    public PromotionGate withShadow(long examples, double liveMargin, java.time.Duration timeout) {
        return new PromotionGate(metric, margin, guardMetric, guardTolerance, examples, liveMargin, timeout.toMillis());
    }

    public boolean hasShadowStage() {
        return shadowExamples > 0;
    }

    /** Accuracy better by half a point, log loss not worse by more than 0.05. */
    public static PromotionGate defaults() {
        return new PromotionGate("accuracy", 0.005, "log_loss", 0.05);
    }

    /** The gate's verdict with the numbers behind it. */
    public record Decision(boolean promote, String reason, double champion, double challenger, double championGuard, double challengerGuard) {}

    public Decision decide(BinaryMetrics champion, BinaryMetrics challenger) {
        double a = GateMetric.value(metric, champion);
        double b = GateMetric.value(metric, challenger);
        double ga = guardMetric == null ? Double.NaN : GateMetric.value(guardMetric, champion);
        double gb = guardMetric == null ? Double.NaN : GateMetric.value(guardMetric, challenger);
        if (Double.isNaN(b)) {
            return new Decision(false, metric + " cannot be computed on the holdout", a, b, ga, gb);
        }
        double gain = Double.isNaN(a) ? Double.POSITIVE_INFINITY : GateMetric.improvement(metric, a, b);
        if (gain < margin) {
            return new Decision(false, String.format(java.util.Locale.ROOT, "%s %.4f vs champion %.4f: needs %+.4f, got %+.4f", metric, b, a, margin, gain),
                    a, b, ga, gb);
        }
        if (guardMetric != null && !Double.isNaN(ga)) {
            double guardGain = Double.isNaN(gb) ? Double.NEGATIVE_INFINITY : GateMetric.improvement(guardMetric, ga, gb);
            if (guardGain < -guardTolerance) {
                return new Decision(false, String.format(java.util.Locale.ROOT, "guard %s %.4f vs champion %.4f: worse by more than %.4f", guardMetric, gb,
                        ga, guardTolerance), a, b, ga, gb);
            }
        }
        return new Decision(true, String.format(java.util.Locale.ROOT, "%s %.4f vs champion %.4f (%+.4f >= %+.4f)", metric, b, a, gain, margin), a, b,
                ga, gb);
    }
}
