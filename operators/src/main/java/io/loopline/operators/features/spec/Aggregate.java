package io.loopline.operators.features.spec;

import java.util.Locale;

/** What a window feature computes over an entity's earlier events in the window. */
public enum Aggregate {
    COUNT,
    SUM,
    MEAN,
    MIN,
    MAX,
    STDDEV;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
