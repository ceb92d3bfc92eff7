package io.loopline.state.aggregates;

import io.loopline.state.serialization.RecordTypeInfo;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The feature operator's aggregates of one entity: the time of its latest processed event and one
 * {@link BucketSeries} per windowed aggregate of the feature spec. Mutable (updated in place per
 * event), so its serializer makes real deep copies.
 */
public final class EntityFeatureState {
    public static final long NO_EVENT = Long.MIN_VALUE;

    public static final TypeInformation<EntityFeatureState> TYPE_INFO =
            new RecordTypeInfo<>(EntityFeatureState.class, new Serializer());

    private long lastEventTime;
    private BucketSeries[] series;

    public EntityFeatureState(int windows) {
        this.lastEventTime = NO_EVENT;
        this.series = emptySeries(windows);
    }

    private EntityFeatureState(long lastEventTime, BucketSeries[] series) {
        this.lastEventTime = lastEventTime;
        this.series = series;
    }

    private static BucketSeries[] emptySeries(int windows) {
        BucketSeries[] series = new BucketSeries[windows];
        for (int i = 0; i < windows; i++) {
            series[i] = new BucketSeries();
        }
        return series;
    }

    /** Forgets the aggregates: an entity idle past its TTL starts afresh. */
    public void resetAggregates() {
        lastEventTime = NO_EVENT;
        series = emptySeries(series.length);
    }

    public long lastEventTime() {
        return lastEventTime;
    }

    public void setLastEventTime(long time) {
        this.lastEventTime = time;
    }

    public int windows() {
        return series.length;
    }

    public BucketSeries series(int window) {
        return series[window];
    }

    public EntityFeatureState copy() {
        BucketSeries[] copies = new BucketSeries[series.length];
        for (int i = 0; i < series.length; i++) {
            copies[i] = series[i].copy();
        }
        return new EntityFeatureState(lastEventTime, copies);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EntityFeatureState other && other.lastEventTime == lastEventTime && Arrays.equals(series, other.series);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(lastEventTime) * 31 + series.length;
    }

    /** Explicit serializer with deep copies; format 1: version byte, last time, series. */
    public static final class Serializer extends TypeSerializer<EntityFeatureState> {
        private static final long serialVersionUID = 1L;
        private static final int FORMAT = 1;

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public TypeSerializer<EntityFeatureState> duplicate() {
            return this;
        }

        @Override
        public EntityFeatureState createInstance() {
            return new EntityFeatureState(0);
        }

        @Override
        public EntityFeatureState copy(EntityFeatureState from) {
            return from.copy();
        }

        @Override
        public EntityFeatureState copy(EntityFeatureState from, EntityFeatureState reuse) {
            return from.copy();
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(EntityFeatureState state, DataOutputView out) throws IOException {
            out.writeByte(FORMAT);
            out.writeLong(state.lastEventTime);
            out.writeShort(state.series.length);
            for (BucketSeries s : state.series) {
                s.write(out);
            }
        }

        @Override
        public EntityFeatureState deserialize(DataInputView in) throws IOException {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IOException("EntityFeatureState format " + format + " is not readable by this build");
            }
            long last = in.readLong();
            BucketSeries[] series = new BucketSeries[in.readUnsignedShort()];
            for (int i = 0; i < series.length; i++) {
                series[i] = BucketSeries.read(in);
            }
            return new EntityFeatureState(last, series);
        }

        @Override
        public EntityFeatureState deserialize(EntityFeatureState reuse, DataInputView in) throws IOException {
            return deserialize(in);
        }

        @Override
        public void copy(DataInputView in, DataOutputView out) throws IOException {
            serialize(deserialize(in), out);
        }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof Serializer;
        }

        @Override
        public int hashCode() {
            return Serializer.class.hashCode();
        }

        @Override
        public TypeSerializerSnapshot<EntityFeatureState> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<EntityFeatureState> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
