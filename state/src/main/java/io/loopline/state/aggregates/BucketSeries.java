package io.loopline.state.aggregates;

import java.util.Arrays;

/**
 * One entity's time buckets for one sliding window: per bucket (index = floor(time / granularity))
 * the count, sum, mean, M2 (for the variance), min and max of the values added to it.
 *
 * <p>Bounded: only non-empty buckets are stored, and {@link #add} drops buckets that have left the
 * window, so a series never holds more than {@code bucketsPerWindow} buckets (and never more than
 * the entity's events in the window).
 */
public final class BucketSeries {
    // Bucket i's index and count sit at longs[2i], longs[2i+1]; its sum, mean, M2, min and max at doubles[5i..5i+4].
    // Two arrays, not seven: the feature operator reads every series of an entity from state on each event.
    private static final int LONGS = 2;
    private static final int DOUBLES = 5;
    private static final int COUNT = 1;
    private static final int SUM = 0;
    private static final int MEAN = 1;
    private static final int M2 = 2;
    private static final int MIN = 3;
    private static final int MAX = 4;

    private long[] longs;
    private double[] doubles;
    private int size;

    public BucketSeries() {
        this(2);
    }

    BucketSeries(int capacity) {
        longs = new long[capacity * LONGS];
        doubles = new double[capacity * DOUBLES];
    }

    public int size() {
        return size;
    }

    private long index(int bucket) {
        return longs[bucket * LONGS];
    }

    /**
     * Adds a value to bucket {@code bucket} and forgets buckets at or before {@code bucket -
     * bucketsPerWindow}. Buckets must be added in non-decreasing order (the feature operator
     * processes each entity's events in event-time order).
     */
    public void add(long bucket, double value, int bucketsPerWindow) {
        if (size > 0 && bucket < index(size - 1)) {
            throw new IllegalStateException("bucket " + bucket + " added after bucket " + index(size - 1));
        }
        evictUpTo(bucket - bucketsPerWindow);
        if (size == 0 || index(size - 1) != bucket) {
            ensureCapacity(size + 1);
            int l = size * LONGS;
            longs[l] = bucket;
            longs[l + COUNT] = 0;
            int d = size * DOUBLES;
            doubles[d + SUM] = 0;
            doubles[d + MEAN] = 0;
            doubles[d + M2] = 0;
            doubles[d + MIN] = Double.POSITIVE_INFINITY;
            doubles[d + MAX] = Double.NEGATIVE_INFINITY;
            size++;
        }
        int l = (size - 1) * LONGS;
        int d = (size - 1) * DOUBLES;
        long n = ++longs[l + COUNT];
        double delta = value - doubles[d + MEAN];
        doubles[d + MEAN] += delta / n;
        doubles[d + M2] += delta * (value - doubles[d + MEAN]);
        doubles[d + SUM] += value;
        doubles[d + MIN] = Math.min(doubles[d + MIN], value);
        doubles[d + MAX] = Math.max(doubles[d + MAX], value);
    }

    /**
     * Merges the buckets in {@code (current - bucketsPerWindow, current]} into {@code into}, in
     * bucket order (so the result is the same wherever it is computed). Statistics are merged with
     * Chan et al.'s parallel variance formula.
     */
    public void query(long current, int bucketsPerWindow, WindowStats into) {
        into.reset();
        long oldest = current - bucketsPerWindow;
        for (int i = 0; i < size; i++) {
            long index = index(i);
            if (index > oldest && index <= current) {
                int d = i * DOUBLES;
                into.merge(longs[i * LONGS + COUNT], doubles[d + SUM], doubles[d + MEAN], doubles[d + M2], doubles[d + MIN], doubles[d + MAX]);
            }
        }
    }

    private void evictUpTo(long lastStale) {
        int firstLive = 0;
        while (firstLive < size && index(firstLive) <= lastStale) {
            firstLive++;
        }
        if (firstLive > 0) {
            int live = size - firstLive;
            System.arraycopy(longs, firstLive * LONGS, longs, 0, live * LONGS);
            System.arraycopy(doubles, firstLive * DOUBLES, doubles, 0, live * DOUBLES);
            size = live;
        }
    }

    private void ensureCapacity(int needed) {
        int capacity = longs.length / LONGS;
        if (needed <= capacity) {
            return;
        }
        int grown = Math.max(needed, capacity * 2);
        longs = Arrays.copyOf(longs, grown * LONGS);
        doubles = Arrays.copyOf(doubles, grown * DOUBLES);
    }

    public BucketSeries copy() {
        BucketSeries copy = new BucketSeries(Math.max(1, size));
        copy.size = size;
        System.arraycopy(longs, 0, copy.longs, 0, size * LONGS);
        System.arraycopy(doubles, 0, copy.doubles, 0, size * DOUBLES);
        return copy;
    }

    /** Per bucket: index, count, sum, mean, M2, min, max (the order of the format the feature state has always had). */
    void write(org.apache.flink.core.memory.DataOutputView out) throws java.io.IOException {
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            out.writeLong(longs[i * LONGS]);
            out.writeLong(longs[i * LONGS + COUNT]);
            int d = i * DOUBLES;
            out.writeDouble(doubles[d + SUM]);
            out.writeDouble(doubles[d + MEAN]);
            out.writeDouble(doubles[d + M2]);
            out.writeDouble(doubles[d + MIN]);
            out.writeDouble(doubles[d + MAX]);
        }
    }

    static BucketSeries read(org.apache.flink.core.memory.DataInputView in) throws java.io.IOException {
        int n = in.readInt();
        BucketSeries s = new BucketSeries(Math.max(1, n));
        s.size = n;
        for (int i = 0; i < n; i++) {
            s.longs[i * LONGS] = in.readLong();
            s.longs[i * LONGS + COUNT] = in.readLong();
            int d = i * DOUBLES;
            s.doubles[d + SUM] = in.readDouble();
            s.doubles[d + MEAN] = in.readDouble();
            s.doubles[d + M2] = in.readDouble();
            s.doubles[d + MIN] = in.readDouble();
            s.doubles[d + MAX] = in.readDouble();
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BucketSeries other && other.size == size
                && Arrays.equals(longs, 0, size * LONGS, other.longs, 0, size * LONGS)
                && Arrays.equals(doubles, 0, size * DOUBLES, other.doubles, 0, size * DOUBLES);
    }

    @Override
    public int hashCode() {
        return size * 31 + (size == 0 ? 0 : Long.hashCode(index(size - 1)));
    }
}
