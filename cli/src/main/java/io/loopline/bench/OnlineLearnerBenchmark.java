package io.loopline.bench;

import io.loopline.operators.retraining.OnlineLearner;
import io.loopline.operators.retraining.OnlineLearning;
import io.loopline.operators.training.BinaryClassifier;
import io.loopline.operators.training.NetworkSettings;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How many labelled examples per second the online mode's learner takes in on one core: test then
 * train per mini-batch (one DL4J output call and one gradient step per batch) on a 20-feature
 * network of the serving size (32-16 ReLU), as the online trainer runs it on its task thread.
 */
public final class OnlineLearnerBenchmark {
    /** @param seconds wall time of the measured examples (after a warm-up of the same size) */
    public record Run(long examples, int batchSize, double seconds, double labelsPerSecond) {}

    private OnlineLearnerBenchmark() {}

    public static Run run(long examples, int batchSize) {
        int features = LearningBenchmark.FEATURES;
        BinaryClassifier network = BinaryClassifier.create(features, new NetworkSettings(List.of(32, 16), "relu", 0.003, 1e-4, 1, batchSize, 7));
        OnlineLearner learner = OnlineLearner.startingFrom(network, new OnlineLearning(batchSize, Long.MAX_VALUE, 0, 500, 0.01, 4.0, 1000), 0);
        SplittableRandom random = new SplittableRandom(3);
        double[][] rows = new double[4096][features];
        double[] labels = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            for (int f = 0; f < features; f++) {
                rows[i][f] = random.nextGaussian();
            }
            labels[i] = rows[i][0] + 0.5 * rows[i][1] > 0 ? 1 : 0;
        }
        feed(learner, rows, labels, examples); // warm-up: JIT and ND4J's first calls
        long started = System.nanoTime();
        feed(learner, rows, labels, examples);
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Run(examples, batchSize, seconds, examples / seconds);
    }

    private static void feed(OnlineLearner learner, double[][] rows, double[] labels, long examples) {
        for (long i = 0; i < examples; i++) {
            int at = (int) (i % rows.length);
            learner.add(rows[at], labels[at], 0.5);
        }
    }
}
