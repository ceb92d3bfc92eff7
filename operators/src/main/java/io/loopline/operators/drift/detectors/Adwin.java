package io.loopline.operators.drift.detectors;

import java.util.ArrayList;
import java.util.List;

/**
 * ADWIN, ADaptive WINdowing (Bifet and Gavaldà, 2007), with MOA's parameters and bookkeeping: the
 * window is an exponential histogram (at most {@value #MAX_BUCKETS} buckets per size 2^i); every
 * {@value #CLOCK} inputs, every split of the window into an older and a newer part is tested, and
 * while the means of the two parts differ by more than the Hoeffding/Bernstein bound for
 * confidence {@code delta}, the oldest bucket is dropped. As MOA's {@code ADWINChangeDetector}, a
 * change is signalled when the window shrank and its mean went up (the error rate rose).
 */
public final class Adwin implements ChangeDetector {
    static final int MAX_BUCKETS = 5;
    static final int CLOCK = 32;
    static final int MIN_WINDOW = 10;
    static final int MIN_SUBWINDOW = 5;

    /** Buckets of one size, oldest first. */
    private static final class Row {
        final double[] sums = new double[MAX_BUCKETS + 1];
        final double[] variances = new double[MAX_BUCKETS + 1];
        int count;

        void add(double sum, double variance) {
            sums[count] = sum;
            variances[count] = variance;
            count++;
        }

        void dropOldest(int k) {
            System.arraycopy(sums, k, sums, 0, MAX_BUCKETS + 1 - k);
            System.arraycopy(variances, k, variances, 0, MAX_BUCKETS + 1 - k);
            count -= k;
        }
    }

    private final double delta;
    /** rows.get(i) holds buckets of 2^i values; row 0 the newest. */
    private final List<Row> rows = new ArrayList<>();
    private long time;
    private int width;
    private double total;
    private double variance;

    /** MOA's default confidence, delta = 0.002. */
    public Adwin() {
        this(0.002);
    }

    public Adwin(double delta) {
        this.delta = delta;
        rows.add(new Row());
    }

    @Override
    public boolean add(double value) {
        double before = estimation();
        return shrinkAfterInsert(value) && estimation() > before;
    }

    @Override
    public double estimation() {
        return width > 0 ? total / width : 0;
    }

    @Override
    public double[] state() {
        int size = 5;
        for (Row row : rows) {
            size += 1 + 2 * row.count;
        }
        double[] state = new double[size];
        state[0] = time;
        state[1] = width;
        state[2] = total;
        state[3] = variance;
        state[4] = rows.size();
        int at = 5;
        for (Row row : rows) {
            state[at++] = row.count;
            for (int k = 0; k < row.count; k++) {
                state[at++] = row.sums[k];
                state[at++] = row.variances[k];
            }
        }
        return state;
    }

    @Override
    public void restore(double[] state) {
        time = (long) state[0];
        width = (int) state[1];
        total = state[2];
        variance = state[3];
        rows.clear();
        int at = 5;
        for (int r = 0; r < (int) state[4]; r++) {
            Row row = new Row();
            int count = (int) state[at++];
            for (int k = 0; k < count; k++) {
                row.add(state[at], state[at + 1]);
                at += 2;
            }
            rows.add(row);
        }
    }

    public int width() {
        return width;
    }

    /** Inserts a value and drops old buckets while the window holds two different means; true if it dropped any. */
    boolean shrinkAfterInsert(double value) {
        time++;
        insert(value);
        boolean changed = false;
        if (time % CLOCK != 0 || width <= MIN_WINDOW) {
            return false;
        }
        boolean reduce = true;
        while (reduce) {
            reduce = false;
            int n0 = 0;
            int n1 = width;
            double u0 = 0;
            double u1 = total;
            scan:
            for (int i = rows.size() - 1; i >= 0; i--) {
                Row row = rows.get(i);
                int size = 1 << i;
                for (int k = 0; k < row.count; k++) {
                    n0 += size;
                    n1 -= size;
                    u0 += row.sums[k];
                    u1 -= row.sums[k];
                    if (i == 0 && k == row.count - 1) {
                        break scan;
                    }
                    if (n1 > MIN_SUBWINDOW + 1 && n0 > MIN_SUBWINDOW + 1 && cut(n0, n1, u0 / n0 - u1 / n1)) {
                        reduce = true;
                        changed = true;
                        if (width > 0) {
                            dropOldest();
                            break scan;
                        }
                    }
                }
            }
        }
        return changed;
    }

    private boolean cut(int n0, int n1, double meanDifference) {
        double dd = Math.log(2 * Math.log(width) / delta);
        double v = variance / width;
        double m = 1.0 / (n0 - MIN_SUBWINDOW + 1) + 1.0 / (n1 - MIN_SUBWINDOW + 1);
        double epsilon = Math.sqrt(2 * m * v * dd) + 2.0 / 3 * dd * m;
        return Math.abs(meanDifference) > epsilon;
    }

    private void insert(double value) {
        width++;
        rows.get(0).add(value, 0);
        if (width > 1) {
            double d = value - total / (width - 1);
            variance += (width - 1) * d * d / width;
        }
        total += value;
        compress();
    }

    private void compress() {
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            if (row.count != MAX_BUCKETS + 1) {
                return;
            }
            if (i + 1 == rows.size()) {
                rows.add(new Row());
            }
            int size = 1 << i;
            double u1 = row.sums[0] / size;
            double u2 = row.sums[1] / size;
            double merged = row.variances[0] + row.variances[1] + (double) size * size * (u1 - u2) * (u1 - u2) / (2.0 * size);
            rows.get(i + 1).add(row.sums[0] + row.sums[1], merged);
            row.dropOldest(2);
            if (rows.get(i + 1).count <= MAX_BUCKETS) {
                return;
            }
        }
    }

    private void dropOldest() {
        int last = rows.size() - 1;
        Row row = rows.get(last);
        int n1 = 1 << last;
        width -= n1;
        total -= row.sums[0];
        double u1 = row.sums[0] / n1;
        double d = u1 - total / width;
        variance -= row.variances[0] + (double) n1 * width * d * d / (n1 + width);
        row.dropOldest(1);
        if (row.count == 0 && last > 0) {
            rows.remove(last);
        }
    }

}
