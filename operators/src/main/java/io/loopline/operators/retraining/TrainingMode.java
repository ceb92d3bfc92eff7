package io.loopline.operators.retraining;

import java.util.Locale;

/**
 * How the model learns after it serves: challengers fine-tuned from the champion or trained from
 * scratch on a buffer when a trigger fires, or the champion itself updated on every labelled
 * mini-batch (online) with snapshots served as they prove themselves.
 */
public enum TrainingMode {
    /** Warm start: the champion's weights and Adam moments, fine-tuned on the buffer. */
    STATEFUL,
    /** A new network with the configured architecture, trained from scratch on the same buffer. */
    STATELESS,
    /** The champion's weights and optimizer state, updated on every labelled mini-batch; snapshots are published and served. */
    ONLINE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TrainingMode parse(String value) {
        for (TrainingMode mode : values()) {
            if (mode.label().equals(value)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("trainer.mode: unknown mode '" + value + "' (known: stateful, stateless, online)");
    }
}
