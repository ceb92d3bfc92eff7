package io.loopline.bench;

import io.loopline.operators.training.BinaryClassifier;
import io.loopline.operators.training.NetworkSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What one DL4J call costs the scoring operator, by micro-batch size, on one thread: the demo's
 * network (53 inputs, 32-16 ReLU, sigmoid) scored as serving scores it ({@link BinaryClassifier}, a
 * float input for a float network), and the same weights given a double input that DL4J casts
 * itself. Rounds alternate the two, and the first two rounds are a warm-up. A call's fixed cost is
 * why serving scores in micro-batches, and why a shorter batch timer costs CPU at low rates.
 */
public final class ScoringBenchmark {
    public static final int INPUTS = 53;

    /** Microseconds per call, medians over the measured rounds. */
    public record Batch(int rows, double microsPerCall, double doubleInputMicrosPerCall) {
        public double microsPerRow() {
            return microsPerCall / rows;
        }
    }

    private ScoringBenchmark() {}

    public static List<Batch> run(int[] batchSizes, int rounds, long rowsPerRound) throws IOException {
        if (rounds < 3) {
            throw new IllegalArgumentException("rounds must be >= 3 (two warm up), got " + rounds);
        }
        BinaryClassifier classifier = BinaryClassifier.create(INPUTS, new NetworkSettings(List.of(32, 16), "relu", 0.003, 1e-4, 1, 256, 7));
        MultiLayerNetwork sameWeights = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(classifier.toBytes()), false);
        SplittableRandom random = new SplittableRandom(5);
        List<Batch> batches = new ArrayList<>();
        double sink = 0;
        for (int rows : batchSizes) {
            double[][] x = new double[rows][INPUTS];
            for (double[] row : x) {
                for (int j = 0; j < INPUTS; j++) {
                    row[j] = random.nextGaussian();
                }
            }
            long calls = Math.max(20, rowsPerRound / rows);
            double[] asServed = new double[rounds - 2];
            double[] doubleInput = new double[rounds - 2];
            for (int round = 0; round < rounds; round++) {
                long started = System.nanoTime();
                for (long c = 0; c < calls; c++) {
                    sink += classifier.score(x, rows)[0];
                }
                long between = System.nanoTime();
                for (long c = 0; c < calls; c++) {
                    sink += sameWeights.output(Nd4j.create(x), false).getDouble(0, 0);
                }
                long ended = System.nanoTime();
                if (round >= 2) {
                    asServed[round - 2] = (between - started) / 1e3 / calls;
                    doubleInput[round - 2] = (ended - between) / 1e3 / calls;
                }
            }
            batches.add(new Batch(rows, median(asServed), median(doubleInput)));
        }
        if (sink == 0.123456789) {
            System.out.print(""); // keeps the scores alive for the JIT
        }
        return batches;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
