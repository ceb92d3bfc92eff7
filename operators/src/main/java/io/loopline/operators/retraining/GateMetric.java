package io.loopline.operators.retraining;

import io.loopline.operators.metrics.BinaryMetrics;
import java.util.List;

/** The metrics a gate or a decay policy can compare, and which direction is better. */
public final class GateMetric {
    public static final List<String> NAMES = List.of("accuracy", "auc", "log_loss", "brier");

    private GateMetric() {}

    public static boolean isKnown(String name) {
        return NAMES.contains(name);
    }

    public static boolean higherIsBetter(String name) {
        return name.equals("accuracy") || name.equals("auc");
    }

    public static double value(String name, BinaryMetrics m) {
        return switch (name) {
            case "accuracy" -> m.accuracy();
            case "auc" -> m.auc();
            case "log_loss" -> m.logLoss();
            case "brier" -> m.brier();
            default -> throw new IllegalArgumentException("unknown metric '" + name + "' (known: " + NAMES + ")");
        };
    }

    /** How much better {@code candidate} is than {@code baseline} (positive: better), in the metric's units. */
    public static double improvement(String name, double baseline, double candidate) {
        return higherIsBetter(name) ? candidate - baseline : baseline - candidate;
    }
}
