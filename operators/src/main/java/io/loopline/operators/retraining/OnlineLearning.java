package io.loopline.operators.retraining;

import java.io.Serializable;

/**
 * How the online mode learns and how fast serving follows.
 *
 * @param batchSize labelled examples per gradient step, in the order they are joined (1-64)
 * @param publishEveryLabels publish a snapshot after this many labels learned since the last look
 * @param publishEveryMillis or after this much processing time with something new learned (0: by labels only)
 * @param compareRows a snapshot is judged on the newest this many labelled rows: its prequential accuracy (each row scored
 *     before it was learned from) against the accuracy of what served them
 * @param margin the snapshot is published unless its accuracy is below the served one's by more than this
 * @param driftBoost after a change point of the served model's errors, the learning rate is multiplied by this ...
 * @param boostExamples ... for this many labelled examples, so the model moves to the new regime faster
 */
public record OnlineLearning(int batchSize, long publishEveryLabels, long publishEveryMillis, int compareRows, double margin, double driftBoost,
        long boostExamples) implements Serializable {

    public OnlineLearning {
        if (batchSize < 1 || batchSize > 64) {
            throw new IllegalArgumentException("online.batch-size must be in 1..64, got " + batchSize);
        }
        if (publishEveryLabels < 1) {
            throw new IllegalArgumentException("online.publish-every-labels must be >= 1, got " + publishEveryLabels);
        }
        if (publishEveryMillis < 0) {
            throw new IllegalArgumentException("online.publish-every must be >= 0, got " + publishEveryMillis + " ms");
        }
        if (compareRows < 1) {
            throw new IllegalArgumentException("online.compare-rows must be >= 1, got " + compareRows);
        }
        if (!(margin >= 0)) {
            throw new IllegalArgumentException("online.margin must be >= 0, got " + margin);
        }
        if (!(driftBoost >= 1)) {
            throw new IllegalArgumentException("online.drift-boost must be >= 1 (1: off), got " + driftBoost);
        }
        if (boostExamples < 0) {
            throw new IllegalArgumentException("online.boost-examples must be >= 0, got " + boostExamples);
        }
    }

    /** Batches of 16; a snapshot every 500 labels or minute, judged on the newest 500 rows with a 1-point margin; 4x learning rate for 1,000 labels after drift. */
    public static OnlineLearning defaults() {
        return new OnlineLearning(16, 500, 60_000, 500, 0.01, 4.0, 1_000);
    }
}
