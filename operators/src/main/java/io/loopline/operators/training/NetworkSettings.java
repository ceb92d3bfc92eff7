package io.loopline.operators.training;

import java.io.Serializable;
import java.util.List;

/**
 * The architecture and optimizer of a binary classifier: dense hidden layers (none = logistic
 * regression), a sigmoid output trained with binary cross-entropy, Adam.
 */
public record NetworkSettings(List<Integer> hidden, String activation, double learningRate, double l2, int epochs, int batchSize, long seed)
        implements Serializable {
    public NetworkSettings {
        hidden = List.copyOf(hidden);
        for (int width : hidden) {
            if (width < 1) {
                throw new IllegalArgumentException("--hidden: layer widths must be >= 1, got " + width);
            }
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("--learning-rate must be > 0, got " + learningRate);
        }
        if (epochs < 1 || batchSize < 1) {
            throw new IllegalArgumentException("--epochs and --batch-size must be >= 1");
        }
    }
}
