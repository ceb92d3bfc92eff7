package io.loopline.operators.features.spec;

import java.io.Serializable;
import java.util.Locale;

/**
 * One statistic of an entity's known labels (a {@code label_history} feature): over the labels that
 * had arrived strictly before the event's time (see {@link LabelTiming}), newest first.
 *
 * @param kind what is computed
 * @param last how many of the newest known labels {@link Kind#MEAN} and {@link Kind#COUNT} look at
 */
public record LabelStatistic(Kind kind, int last) implements Serializable {
    public static final int MAX_LAST = 1_000;

    public enum Kind {
        /** The newest known label; missing when none is known. */
        LAST,
        /** The mean of the newest {@code last} known labels; missing when none is known. */
        MEAN,
        /** How many labels are known, at most {@code last}: tells a model how much the mean is worth. */
        COUNT,
        /** Seconds from the arrival of the newest known positive label to the event; missing when none is known. */
        SECONDS_SINCE_POSITIVE;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public LabelStatistic {
        if (last < 1 || last > MAX_LAST) {
            throw new IllegalArgumentException("last must be in 1.." + MAX_LAST + ", got " + last);
        }
    }
}
