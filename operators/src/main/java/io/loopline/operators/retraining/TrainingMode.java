package io.loopline.operators.retraining;

import java.util.Locale;

/** How a challenger starts: from the champion's weights and optimizer state, or from scratch. */
public enum TrainingMode {
    /** Warm start: the champion's weights and Adam moments, fine-tuned on the buffer. */
    STATEFUL,
    /** A new network with the configured architecture, trained from scratch on the same buffer. */
    STATELESS;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TrainingMode parse(String value) {
        for (TrainingMode mode : values()) {
            if (mode.label().equals(value)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("trainer.mode: unknown mode '" + value + "' (known: stateful, stateless)");
    }
}
