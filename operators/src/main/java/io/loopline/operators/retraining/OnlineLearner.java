package io.loopline.operators.retraining;

import io.loopline.operators.training.BinaryClassifier;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * The online mode's learner, without Flink: a network (weights and optimizer state) updated on
 * every mini-batch of labelled examples, test-then-train. Each row is scored by the learner before
 * it learns from it, so the learner's prequential accuracy and the accuracy of what served the same
 * rows can be compared on the newest {@link OnlineLearning#compareRows} rows: a snapshot goes out
 * only if it is not worse than the served model by more than the margin.
 *
 * <p>Its whole state (network bytes with the updater, pending rows, the comparison window, counters)
 * has one versioned binary form ({@link #toBytes}/{@link #fromBytes}), so a restored job goes on with
 * the same weights and optimizer moments and the same rows in flight.
 */
public final class OnlineLearner {
    private static final int FORMAT = 1;

    /** What a look at the learner says: publish a snapshot or hold it. */
    public record Verdict(boolean publish, double learnerAccuracy, double servedAccuracy, int rows) {}

    private final OnlineLearning settings;
    private BinaryClassifier network;
    private double baseLearningRate;
    private double appliedLearningRate;
    private long boostRemaining;
    private long learned;
    private long learnedAtLook;
    private long learnedAtServed;
    private long lookedAtMillis;
    private long servedAtMillis;
    private final double[][] batchX;
    private final double[] batchY;
    private final double[] batchServed;
    private int pending;
    /** Per compared row: bit 0 the learner was right, bit 1 the served model was right. */
    private final byte[] ring;
    private long compared;

    private OnlineLearner(OnlineLearning settings, BinaryClassifier network, double baseLearningRate) {
        this.settings = settings;
        this.network = network;
        this.baseLearningRate = baseLearningRate;
        this.appliedLearningRate = network.learningRate();
        this.batchX = new double[settings.batchSize()][];
        this.batchY = new double[settings.batchSize()];
        this.batchServed = new double[settings.batchSize()];
        this.ring = new byte[settings.compareRows()];
    }

    /** Starts from a serving model's artifact (weights and optimizer state: the first update continues its training). */
    public static OnlineLearner startingFrom(BinaryClassifier champion, OnlineLearning settings, long nowMillis) {
        OnlineLearner learner = new OnlineLearner(settings, champion, champion.learningRate());
        learner.lookedAtMillis = nowMillis;
        learner.servedAtMillis = nowMillis;
        return learner;
    }

    /**
     * One labelled example and the score that was served for it. Learns once a mini-batch is full;
     * returns whether it did.
     */
    public boolean add(double[] features, double label, double servedScore) {
        batchX[pending] = features;
        batchY[pending] = label;
        batchServed[pending] = servedScore;
        pending++;
        if (pending < settings.batchSize()) {
            return false;
        }
        learnPending();
        return true;
    }

    private void learnPending() {
        double[][] x = pending == batchX.length ? batchX : Arrays.copyOf(batchX, pending);
        double[] y = pending == batchY.length ? batchY : Arrays.copyOf(batchY, pending);
        double[] before = network.score(x, x.length); // test, then train: one DL4J call per batch
        for (int i = 0; i < pending; i++) {
            boolean positive = y[i] >= 0.5;
            int bits = ((before[i] >= 0.5) == positive ? 1 : 0) | ((batchServed[i] >= 0.5) == positive ? 2 : 0);
            ring[(int) (compared % ring.length)] = (byte) bits;
            compared++;
        }
        double rate = boostRemaining > 0 ? baseLearningRate * settings.driftBoost() : baseLearningRate;
        if (!Double.isNaN(rate) && rate != appliedLearningRate) {
            network.setLearningRate(rate);
            appliedLearningRate = rate;
        }
        network.fitBatch(x, y);
        boostRemaining = Math.max(0, boostRemaining - pending);
        learned += pending;
        Arrays.fill(batchX, null);
        pending = 0;
    }

    /** Whether enough was learned since the last look (by labels, or by time with something new) to judge a snapshot. */
    public boolean due(long nowMillis) {
        long fresh = learned - learnedAtLook;
        return fresh >= settings.publishEveryLabels()
                || fresh > 0 && settings.publishEveryMillis() > 0 && nowMillis - lookedAtMillis >= settings.publishEveryMillis();
    }

    /** Judges the learner as it is now against what served the same rows; the next look is {@link OnlineLearning#publishEveryLabels} labels later. */
    public Verdict look(long nowMillis) {
        learnedAtLook = learned;
        lookedAtMillis = nowMillis;
        int rows = (int) Math.min(compared, ring.length);
        int learnerRight = 0;
        int servedRight = 0;
        for (int i = 0; i < rows; i++) {
            learnerRight += ring[i] & 1;
            servedRight += (ring[i] >> 1) & 1;
        }
        double learnerAccuracy = rows == 0 ? Double.NaN : (double) learnerRight / rows;
        double servedAccuracy = rows == 0 ? Double.NaN : (double) servedRight / rows;
        boolean publish = rows > 0 && learnerAccuracy >= servedAccuracy - settings.margin();
        return new Verdict(publish, learnerAccuracy, servedAccuracy, rows);
    }

    /** The snapshot now serves: staleness starts again from here. */
    public void served(long nowMillis) {
        learnedAtServed = learned;
        servedAtMillis = nowMillis;
    }

    /** A change point in the served model's errors: learn faster for a while (not again while a boost lasts). */
    public boolean boost() {
        if (settings.driftBoost() <= 1 || settings.boostExamples() == 0 || boostRemaining > 0) {
            return false;
        }
        boostRemaining = settings.boostExamples();
        return true;
    }

    /** Goes on from another model (a rollback): its weights and optimizer state replace the learner's; counters stay. */
    public void restartFrom(BinaryClassifier model, long nowMillis) {
        network = model;
        baseLearningRate = model.learningRate();
        appliedLearningRate = baseLearningRate;
        boostRemaining = 0;
        compared = 0;
        served(nowMillis);
    }

    /** The snapshot to publish: the network as it is now, with its optimizer state, at its base learning rate. */
    public byte[] snapshot() throws IOException {
        if (!Double.isNaN(baseLearningRate) && appliedLearningRate != baseLearningRate) {
            network.setLearningRate(baseLearningRate);
            byte[] bytes = network.toBytes();
            network.setLearningRate(appliedLearningRate);
            return bytes;
        }
        return network.toBytes();
    }

    public long learned() {
        return learned;
    }

    /** Labelled examples taken in: learned, or waiting in the mini-batch. */
    public long received() {
        return learned + pending;
    }

    /** Labels learned that no served snapshot holds yet. */
    public long stalenessLabels() {
        return learned - learnedAtServed;
    }

    public long stalenessMillis(long nowMillis) {
        return Math.max(0, nowMillis - servedAtMillis);
    }

    public boolean boosting() {
        return boostRemaining > 0;
    }

    public double[] score(double[][] rows) {
        return network.score(rows, Math.max(1, rows.length));
    }

    /** The whole state in its versioned binary form. */
    public byte[] toBytes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeDouble(baseLearningRate);
            out.writeLong(boostRemaining);
            out.writeLong(learned);
            out.writeLong(learnedAtLook);
            out.writeLong(learnedAtServed);
            out.writeLong(lookedAtMillis);
            out.writeLong(servedAtMillis);
            out.writeInt(pending);
            for (int i = 0; i < pending; i++) {
                out.writeInt(batchX[i].length);
                for (double v : batchX[i]) {
                    out.writeDouble(v);
                }
                out.writeDouble(batchY[i]);
                out.writeDouble(batchServed[i]);
            }
            out.writeInt(ring.length);
            out.write(ring);
            out.writeLong(compared);
            byte[] model = network.toBytes();
            out.writeInt(model.length);
            out.write(model);
        }
        return bytes.toByteArray();
    }

    /** Reads {@link #toBytes}; the settings may have changed since (a smaller batch or window keeps what fits). */
    public static OnlineLearner fromBytes(byte[] state, OnlineLearning settings) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IOException("online learner state format " + format + " is not known (this version reads " + FORMAT + ")");
            }
            double baseRate = in.readDouble();
            long boost = in.readLong();
            long learned = in.readLong();
            long learnedAtLook = in.readLong();
            long learnedAtServed = in.readLong();
            long lookedAt = in.readLong();
            long servedAt = in.readLong();
            int pending = in.readInt();
            double[][] x = new double[pending][];
            double[] y = new double[pending];
            double[] served = new double[pending];
            for (int i = 0; i < pending; i++) {
                x[i] = new double[in.readInt()];
                for (int j = 0; j < x[i].length; j++) {
                    x[i][j] = in.readDouble();
                }
                y[i] = in.readDouble();
                served[i] = in.readDouble();
            }
            byte[] ring = new byte[in.readInt()];
            in.readFully(ring);
            long compared = in.readLong();
            byte[] model = new byte[in.readInt()];
            in.readFully(model);
            OnlineLearner learner = new OnlineLearner(settings, BinaryClassifier.fromBytes(model), baseRate);
            learner.boostRemaining = boost;
            learner.learned = learned;
            learner.learnedAtLook = learnedAtLook;
            learner.learnedAtServed = learnedAtServed;
            learner.lookedAtMillis = lookedAt;
            learner.servedAtMillis = servedAt;
            // The newest rows first in the restored window, in their order.
            int keep = (int) Math.min(Math.min(compared, ring.length), learner.ring.length);
            for (long k = compared - keep; k < compared; k++) {
                learner.ring[(int) (learner.compared % learner.ring.length)] = ring[(int) (k % ring.length)];
                learner.compared++;
            }
            for (int i = 0; i < pending; i++) {
                learner.add(x[i], y[i], served[i]);
            }
            return learner;
        }
    }
}
