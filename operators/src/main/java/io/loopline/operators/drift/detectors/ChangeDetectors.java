package io.loopline.operators.drift.detectors;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Builds a detector by name with optional parameters; unknown names and keys are errors that say what is allowed. */
public final class ChangeDetectors {
    private ChangeDetectors() {}

    public static ChangeDetector create(String name, Map<String, String> params) {
        Map<String, String> p = new HashMap<>(params);
        DetectorName detector = DetectorName.of(name)
                .orElseThrow(() -> new IllegalArgumentException("--detector: unknown detector '" + name + "'; use " + DetectorName.choices()));
        return switch (detector) {
            case ADWIN -> {
                allow(name, p, Set.of("delta"));
                yield new Adwin(number(p, "delta", 0.002));
            }
            case PAGE_HINKLEY -> {
                allow(name, p, Set.of("min_instances", "delta", "lambda", "alpha"));
                yield new PageHinkley((int) number(p, "min_instances", 30), number(p, "delta", 0.005), number(p, "lambda", 50),
                        number(p, "alpha", 1 - 0.0001));
            }
            case DDM -> {
                allow(name, p, Set.of("min_instances", "warning_level", "drift_level"));
                yield new Ddm((int) number(p, "min_instances", 30), number(p, "warning_level", 2.0), number(p, "drift_level", 3.0));
            }
        };
    }

    private static void allow(String detector, Map<String, String> params, Set<String> keys) {
        for (String key : params.keySet()) {
            if (!keys.contains(key)) {
                throw new IllegalArgumentException("--param: " + detector + " has no parameter '" + key + "'; it takes " + keys);
            }
        }
    }

    private static double number(Map<String, String> params, String key, double fallback) {
        String value = params.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--param " + key + ": not a number: '" + value + "'");
        }
    }
}
