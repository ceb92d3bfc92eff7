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
    private long[] index;
    private long[] count;
    private double[] sum;
    private double[] mean;
    private double[] m2;
    private double[] min;
    private double[] max;
    private int size;

    public BucketSeries() {
        this(2);
    }

    BucketSeries(int capacity) {
        index = new long[capacity];
        count = new long[capacity];
        sum = new double[capacity];
        mean = new double[capacity];
        m2 = new double[capacity];
        min = new double[capacity];
        max = new double[capacity];
    }

    public int size() {
        return size;
    }

    /**
     * Adds a value to bucket {@code bucket} and forgets buckets at or before {@code bucket -
     * bucketsPerWindow}. Buckets must be added in non-decreasing order (the feature operator
     * processes each entity's events in event-time order).
     */
    public void add(long bucket, double value, int bucketsPerWindow) {
        if (size > 0 && bucket < index[size - 1]) {
            throw new IllegalStateException("bucket " + bucket + " added after bucket " + index[size - 1]);
        }
        evictUpTo(bucket - bucketsPerWindow);
        if (size == 0 || index[size - 1] != bucket) {
            ensureCapacity(size + 1);
            index[size] = bucket;
            count[size] = 0;
            sum[size] = 0;
            mean[size] = 0;
            m2[size] = 0;
            min[size] = Double.POSITIVE_INFINITY;
            max[size] = Double.NEGATIVE_INFINITY;
            size++;
        }
        int i = size - 1;
        long n = ++count[i];
        double delta = value - mean[i];
        mean[i] += delta / n;
        m2[i] += delta * (value - mean[i]);
        sum[i] += value;
        min[i] = Math.min(min[i], value);
        max[i] = Math.max(max[i], value);
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
            if (index[i] > oldest && index[i] <= current) {
                into.merge(count[i], sum[i], mean[i], m2[i], min[i], max[i]);
            }
        }
    }

    private void evictUpTo(long lastStale) {
        int firstLive = 0;
        while (firstLive < size && index[firstLive] <= lastStale) {
            firstLive++;
        }
        if (firstLive > 0) {
            int live = size - firstLive;
            System.arraycopy(index, firstLive, index, 0, live);
            System.arraycopy(count, firstLive, count, 0, live);
            System.arraycopy(sum, firstLive, sum, 0, live);
            System.arraycopy(mean, firstLive, mean, 0, live);
            System.arraycopy(m2, firstLive, m2, 0, live);
            System.arraycopy(min, firstLive, min, 0, live);
            System.arraycopy(max, firstLive, max, 0, live);
            size = live;
        }
    }

    private void ensureCapacity(int needed) {
        if (needed <= index.length) {
            return;
        }
        int capacity = Math.max(needed, index.length * 2);
        index = Arrays.copyOf(index, capacity);
        count = Arrays.copyOf(count, capacity);
        sum = Arrays.copyOf(sum, capacity);
        mean = Arrays.copyOf(mean, capacity);
        m2 = Arrays.copyOf(m2, capacity);
        min = Arrays.copyOf(min, capacity);
        max = Arrays.copyOf(max, capacity);
    }

    public BucketSeries copy() {
        BucketSeries copy = new BucketSeries(Math.max(1, size));
        copy.size = size;
        System.arraycopy(index, 0, copy.index, 0, size);
        System.arraycopy(count, 0, copy.count, 0, size);
        System.arraycopy(sum, 0, copy.sum, 0, size);
        System.arraycopy(mean, 0, copy.mean, 0, size);
        System.arraycopy(m2, 0, copy.m2, 0, size);
        System.arraycopy(min, 0, copy.min, 0, size);
        System.arraycopy(max, 0, copy.max, 0, size);
        return copy;
    }

    void write(org.apache.flink.core.memory.DataOutputView out) throws java.io.IOException {
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            out.writeLong(index[i]);
            out.writeLong(count[i]);
            writeStatistics(i, out);
        }
    }

    private void writeStatistics(int i, org.apache.flink.core.memory.DataOutputView out) throws java.io.IOException {
        out.writeDouble(sum[i]);
        out.writeDouble(mean[i]);
        out.writeDouble(m2[i]);
        out.writeDouble(min[i]);
        out.writeDouble(max[i]);
    }

    private void readStatistics(int i, org.apache.flink.core.memory.DataInputView in) throws java.io.IOException {
        sum[i] = in.readDouble();
        mean[i] = in.readDouble();
        m2[i] = in.readDouble();
        min[i] = in.readDouble();
        max[i] = in.readDouble();
    }

    static BucketSeries read(org.apache.flink.core.memory.DataInputView in) throws java.io.IOException {
        int n = in.readInt();
        BucketSeries s = new BucketSeries(Math.max(1, n));
        s.size = n;
        for (int i = 0; i < n; i++) {
            s.index[i] = in.readLong();
            s.count[i] = in.readLong();
            s.readStatistics(i, in);
        }
        return s;
    }

    /**
     * The compact form serving writes on every event: the bucket count, then per bucket its index as
     * a varint delta from the previous one, its count (shifted left, the low bit set when one value
     * stands for all five statistics) and either that value or the five statistics. A bucket of one
     * value, the usual case for an entity's recent buckets, takes about 10 bytes instead of 56. It reads
     * back to the same bits: one value stands in only where sum, mean, min and max are that value, bit
     * for bit, and M2 is +0.0.
     */
    void writeCompact(org.apache.flink.core.memory.DataOutputView out) throws java.io.IOException {
        Varints.writeUnsigned(size, out);
        long previous = 0;
        for (int i = 0; i < size; i++) {
            Varints.writeSigned(index[i] - previous, out);
            previous = index[i];
            boolean one = isOneValue(i);
            Varints.writeUnsigned(count[i] << 1 | (one ? 1 : 0), out);
            if (one) {
                out.writeDouble(sum[i]);
            } else {
                writeStatistics(i, out);
            }
        }
    }

    private boolean isOneValue(int i) {
        long bits = Double.doubleToRawLongBits(sum[i]);
        return Double.doubleToRawLongBits(mean[i]) == bits && Double.doubleToRawLongBits(min[i]) == bits
                && Double.doubleToRawLongBits(max[i]) == bits && Double.doubleToRawLongBits(m2[i]) == 0L;
    }

    static BucketSeries readCompact(org.apache.flink.core.memory.DataInputView in) throws java.io.IOException {
        int n = (int) Varints.readUnsigned(in);
        BucketSeries s = new BucketSeries(Math.max(1, n));
        s.size = n;
        long previous = 0;
        for (int i = 0; i < n; i++) {
            previous += Varints.readSigned(in);
            s.index[i] = previous;
            long countAndForm = Varints.readUnsigned(in);
            s.count[i] = countAndForm >>> 1;
            if ((countAndForm & 1) != 0) {
                double value = in.readDouble();
                s.sum[i] = value;
                s.mean[i] = value;
                s.m2[i] = 0.0;
                s.min[i] = value;
                s.max[i] = value;
            } else {
                s.readStatistics(i, in);
            }
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BucketSeries other) || other.size != size) {
            return false;
        }
        return Arrays.equals(index, 0, size, other.index, 0, size)
                && Arrays.equals(count, 0, size, other.count, 0, size)
                && Arrays.equals(sum, 0, size, other.sum, 0, size)
                && Arrays.equals(mean, 0, size, other.mean, 0, size)
                && Arrays.equals(m2, 0, size, other.m2, 0, size)
                && Arrays.equals(min, 0, size, other.min, 0, size)
                && Arrays.equals(max, 0, size, other.max, 0, size);
    }

    @Override
    public int hashCode() {
        return size * 31 + (size == 0 ? 0 : Long.hashCode(index[size - 1]));
    }
}
