package io.loopline.state.aggregates;

import io.loopline.state.serialization.ImmutableRecordSerializer;
import io.loopline.state.serialization.RecordTypeInfo;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * One entity's labels as they arrived, oldest first, kept as far back as label-history features
 * can still ask: every label newer than a horizon, the newest {@code keep} older ones, and the arrival
 * of the newest positive among those dropped. Immutable: labels are far rarer than events, so a copy
 * per label costs little and a held reference never changes under its reader.
 *
 * @param arrivals arrival times, ascending (equal ones in arrival order)
 * @param values the labels, in the same order
 * @param droppedPositive arrival of the newest positive label no longer kept, or {@link #NONE}
 * @param servedUpTo the newest event time that read this history, or {@link #NONE}: a label arriving before it came late
 */
public record KnownLabels(long[] arrivals, double[] values, long droppedPositive, long servedUpTo) {
    public static final long NONE = Long.MIN_VALUE;
    public static final KnownLabels EMPTY = new KnownLabels(new long[0], new double[0], NONE, NONE);
    public static final TypeInformation<KnownLabels> TYPE_INFO = new RecordTypeInfo<>(KnownLabels.class, new Serializer());

    public KnownLabels {
        if (arrivals.length != values.length) {
            throw new IllegalArgumentException("arrivals and values differ in length: " + arrivals.length + " != " + values.length);
        }
    }

    public int size() {
        return arrivals.length;
    }

    /** With one more label, in arrival order (after any that arrived at the same time). */
    public KnownLabels with(long arrival, double value) {
        int at = arrivals.length;
        while (at > 0 && arrivals[at - 1] > arrival) {
            at--;
        }
        long[] a = new long[arrivals.length + 1];
        double[] v = new double[values.length + 1];
        System.arraycopy(arrivals, 0, a, 0, at);
        System.arraycopy(values, 0, v, 0, at);
        a[at] = arrival;
        v[at] = value;
        System.arraycopy(arrivals, at, a, at + 1, arrivals.length - at);
        System.arraycopy(values, at, v, at + 1, values.length - at);
        return new KnownLabels(a, v, droppedPositive, servedUpTo);
    }

    /** The number of labels (from the oldest) that arrived strictly before {@code limit}. */
    public int countBefore(long limit) {
        int low = 0;
        int high = arrivals.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (arrivals[mid] < limit) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** Arrival of the newest positive label (>= 0.5) among the oldest {@code known}, or {@link #NONE}. */
    public long newestPositive(int known) {
        for (int i = known - 1; i >= 0; i--) {
            if (values[i] >= 0.5) {
                return arrivals[i];
            }
        }
        return droppedPositive;
    }

    /** Records that an event at {@code eventTime} read this history. */
    public KnownLabels servedAt(long eventTime) {
        return eventTime <= servedUpTo ? this : new KnownLabels(arrivals, values, droppedPositive, eventTime);
    }

    /** Without labels older than {@code horizon} beyond the newest {@code keep} of them. */
    public KnownLabels prunedBefore(long horizon, int keep) {
        int older = countBefore(horizon);
        int drop = older - keep;
        if (drop <= 0) {
            return this;
        }
        long positive = droppedPositive;
        for (int i = drop - 1; i >= 0; i--) {
            if (values[i] >= 0.5) {
                positive = arrivals[i];
                break;
            }
        }
        return new KnownLabels(Arrays.copyOfRange(arrivals, drop, arrivals.length), Arrays.copyOfRange(values, drop, values.length), positive, servedUpTo);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KnownLabels k && Arrays.equals(arrivals, k.arrivals) && Arrays.equals(values, k.values)
                && droppedPositive == k.droppedPositive && servedUpTo == k.servedUpTo;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(arrivals) + Arrays.hashCode(values) + Long.hashCode(droppedPositive) * 7 + Long.hashCode(servedUpTo);
    }

    @Override
    public String toString() {
        return "KnownLabels[" + arrivals.length + " labels, droppedPositive=" + droppedPositive + ", servedUpTo=" + servedUpTo + "]";
    }

    /** Explicit serializer; format 1. */
    public static final class Serializer extends ImmutableRecordSerializer<KnownLabels> {
        private static final long serialVersionUID = 1L;

        @Override
        public KnownLabels createInstance() {
            return EMPTY;
        }

        @Override
        protected int currentFormatVersion() {
            return 1;
        }

        @Override
        protected void writeRecord(KnownLabels k, DataOutputView out) throws IOException {
            out.writeInt(k.arrivals.length);
            for (int i = 0; i < k.arrivals.length; i++) {
                out.writeLong(k.arrivals[i]);
                out.writeDouble(k.values[i]);
            }
            out.writeLong(k.droppedPositive);
            out.writeLong(k.servedUpTo);
        }

        @Override
        protected KnownLabels readRecord(int version, DataInputView in) throws IOException {
            int n = in.readInt();
            if (n < 0) {
                throw new IOException("negative label count " + n);
            }
            long[] arrivals = new long[n];
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                arrivals[i] = in.readLong();
                values[i] = in.readDouble();
            }
            return new KnownLabels(arrivals, values, in.readLong(), in.readLong());
        }

        @Override
        public TypeSerializerSnapshot<KnownLabels> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<KnownLabels> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
