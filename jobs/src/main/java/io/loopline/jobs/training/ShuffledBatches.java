package io.loopline.jobs.training;

import java.util.SplittableRandom;

/**
 * Mini-batches from a stream of rows in shuffled order, with a bounded buffer: rows fill the buffer,
 * and once it is full each new row takes the place of a random buffered one, which joins the current
 * batch; at the end of an epoch the buffer drains in random order. A set smaller than the buffer is
 * shuffled as a whole; a larger one within windows of the buffer's size.
 */
final class ShuffledBatches {
    /** What is done with each full (or last) batch. */
    @FunctionalInterface
    interface BatchConsumer {
        void accept(double[][] features, double[] labels);
    }

    private final double[][] bufferX;
    private final double[] bufferY;
    private final double[][] batchX;
    private final double[] batchY;
    private final SplittableRandom random;
    private final BatchConsumer consumer;
    private int buffered;
    private int inBatch;

    ShuffledBatches(int bufferRows, int batchSize, long seed, BatchConsumer consumer) {
        if (bufferRows < 1 || batchSize < 1) {
            throw new IllegalArgumentException("buffer and batch must hold at least one row, got " + bufferRows + " and " + batchSize);
        }
        this.bufferX = new double[bufferRows][];
        this.bufferY = new double[bufferRows];
        this.batchX = new double[batchSize][];
        this.batchY = new double[batchSize];
        this.random = new SplittableRandom(seed);
        this.consumer = consumer;
    }

    void add(double[] features, double label) {
        if (buffered < bufferX.length) {
            bufferX[buffered] = features;
            bufferY[buffered++] = label;
            return;
        }
        int out = random.nextInt(buffered);
        take(out);
        bufferX[out] = features;
        bufferY[out] = label;
    }

    /** Drains the buffer in random order and hands on the last, possibly smaller, batch. */
    void endEpoch() {
        while (buffered > 0) {
            int out = random.nextInt(buffered);
            take(out);
            buffered--;
            bufferX[out] = bufferX[buffered];
            bufferY[out] = bufferY[buffered];
            bufferX[buffered] = null;
        }
        if (inBatch > 0) {
            consumer.accept(java.util.Arrays.copyOf(batchX, inBatch), java.util.Arrays.copyOf(batchY, inBatch));
            inBatch = 0;
        }
    }

    private void take(int index) {
        batchX[inBatch] = bufferX[index];
        batchY[inBatch++] = bufferY[index];
        if (inBatch == batchX.length) {
            consumer.accept(batchX.clone(), batchY.clone());
            inBatch = 0;
        }
    }
}
