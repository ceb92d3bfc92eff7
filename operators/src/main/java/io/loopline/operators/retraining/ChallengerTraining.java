package io.loopline.operators.retraining;

import io.loopline.operators.training.BinaryClassifier;
import java.util.Random;

/**
 * A challenger network being trained on a fixed set of rows in small steps: {@link #step} runs a few
 * mini-batches and returns, so the trainer can process records and checkpoints between steps. The
 * order of each epoch is a seeded shuffle of (seed, epoch), so training resumed from a checkpoint at
 * (epoch, batch) continues exactly as it would have. Not thread-safe (DL4J).
 */
final class ChallengerTraining {
    private final BinaryClassifier network;
    private final double[][] x;
    private final double[] y;
    private final int epochs;
    private final int batchSize;
    private final long seed;
    private int epoch;
    private int batch;
    private long rowsProcessed;
    private int[] order;

    ChallengerTraining(BinaryClassifier network, double[][] x, double[] y, int epochs, int batchSize, long seed, int epoch, int batch, long rowsProcessed) {
        this.network = network;
        this.x = x;
        this.y = y;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.seed = seed;
        this.epoch = epoch;
        this.batch = batch;
        this.rowsProcessed = rowsProcessed;
    }

    /** Runs up to {@code maxBatches} mini-batches; true when every epoch is done. */
    boolean step(int maxBatches) {
        int batchesPerEpoch = (x.length + batchSize - 1) / batchSize;
        for (int done = 0; done < maxBatches && epoch < epochs; done++) {
            if (order == null) {
                order = shuffled(x.length, new Random(seed * 1_000_003L + epoch));
            }
            int from = batch * batchSize;
            int to = Math.min(x.length, from + batchSize);
            double[][] bx = new double[to - from][];
            double[] by = new double[to - from];
            for (int k = from; k < to; k++) {
                bx[k - from] = x[order[k]];
                by[k - from] = y[order[k]];
            }
            network.fitBatch(bx, by);
            rowsProcessed += to - from;
            if (++batch >= batchesPerEpoch) {
                batch = 0;
                epoch++;
                order = null;
            }
        }
        return finished();
    }

    boolean finished() {
        return epoch >= epochs;
    }

    BinaryClassifier network() {
        return network;
    }

    int epoch() {
        return epoch;
    }

    int batch() {
        return batch;
    }

    long rowsProcessed() {
        return rowsProcessed;
    }

    private static int[] shuffled(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
