package io.loopline.operators.retraining;

import io.loopline.operators.training.BinaryClassifier;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.ModelDraft;
import io.loopline.state.model.ModelStore;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The trainer tests' world: four Gaussian features; the champion learned "label = x0 > 0", and
 * after the flip the examples say "label = x0 < 0".
 */
final class ConceptFlip {
    static final int DIMENSION = 4;
    static final NetworkSettings NETWORK = new NetworkSettings(List.of(), "tanh", 0.1, 0, 1, 32, 5);

    private ConceptFlip() {}

    static double[][] rows(int n, Random random) {
        double[][] x = new double[n][DIMENSION];
        for (double[] row : x) {
            for (int j = 0; j < DIMENSION; j++) {
                row[j] = random.nextGaussian();
            }
        }
        return x;
    }

    static double[] labels(double[][] x, boolean flipped) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (x[i][0] > 0) != flipped ? 1 : 0;
        }
        return y;
    }

    /** Trains the champion on the original concept and publishes it as model {@code m} v1. */
    static void publishChampion(ModelStore store) throws Exception {
        BinaryClassifier champion = BinaryClassifier.create(DIMENSION, NETWORK);
        double[][] x = rows(2000, new Random(1));
        champion.fit(x, labels(x, false), 5, 32, 1);
        store.publish(new ModelDraft("m", null, BinaryClassifier.FORMAT, "spec", List.of("a", "b", "c", "d"), null, null, x.length,
                Map.of("validation.accuracy", 0.99)), champion.toBytes());
    }
}
