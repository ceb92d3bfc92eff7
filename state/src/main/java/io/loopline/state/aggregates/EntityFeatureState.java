package io.loopline.state.aggregates;

import io.loopline.state.serialization.EventSerializer;
import io.loopline.state.records.Event;
import io.loopline.state.serialization.RecordTypeInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 *
 * <p>Serving keeps everything it knows of an entity in this one value, so each event costs one
 * state read and one write: besides the aggregates, the events still {@linkplain #waiting() waiting}
 * for the watermark and the ids {@linkplain #recentIds() recently seen}. Such a value
 * {@linkplain #holdsWaitingEvents() holds its waiting events}; one written by the backfill, or by a
 * version that kept them in separate states, does not (format 1, still read and written as before).
 */
public final class EntityFeatureState {
    public static final long NO_EVENT = Long.MIN_VALUE;

    public static final TypeInformation<EntityFeatureState> TYPE_INFO =
            new RecordTypeInfo<>(EntityFeatureState.class, new Serializer());

    private long lastEventTime;
    private BucketSeries[] series;
    private boolean holdsWaitingEvents;
    private List<Event> waiting;
    private long[] recentIds;

    public EntityFeatureState(int windows) {
        this.lastEventTime = NO_EVENT;
        this.series = emptySeries(windows);
    }

    private EntityFeatureState(long lastEventTime, BucketSeries[] series) {
        this.lastEventTime = lastEventTime;
        this.series = series;
    }

    /** Whether this value carries the entity's waiting events and recent ids (serving's layout). */
    public boolean holdsWaitingEvents() {
        return holdsWaitingEvents;
    }

    /** From now on this value carries the entity's waiting events and recent ids. */
    public void holdWaitingEvents() {
        holdsWaitingEvents = true;
    }

    /** The entity's events not yet folded into the aggregates, in arrival order; mutable. */
    public List<Event> waiting() {
        if (waiting == null) {
            waiting = new ArrayList<>(4);
        }
        return waiting;
    }

    public boolean hasWaiting() {
        return waiting != null && !waiting.isEmpty();
    }

    /** The entity's recently seen event ids as stored by the deduplication, or null for none. */
    public long[] recentIds() {
        return recentIds;
    }

    public void setRecentIds(long[] ids) {
        this.recentIds = ids;
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
        var copy = copyAggregates();
        copy.holdsWaitingEvents = holdsWaitingEvents;
        copy.waiting = waiting == null ? null : new ArrayList<>(waiting); // events are immutable
        copy.recentIds = recentIds == null ? null : recentIds.clone();
        return copy;
    }

    /** A copy of the aggregates alone, to fold events into without touching this value. */
    public EntityFeatureState copyAggregates() {
        BucketSeries[] copies = new BucketSeries[series.length];
        for (int i = 0; i < series.length; i++) {
            copies[i] = series[i].copy();
        }
        return new EntityFeatureState(lastEventTime, copies);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EntityFeatureState other && other.lastEventTime == lastEventTime && Arrays.equals(series, other.series)
                && other.holdsWaitingEvents == holdsWaitingEvents && waitingOrEmpty().equals(other.waitingOrEmpty())
                && Arrays.equals(recentIds, other.recentIds);
    }

    private List<Event> waitingOrEmpty() {
        return waiting == null ? List.of() : waiting;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(lastEventTime) * 31 + series.length;
    }

    /**
     * Explicit serializer with deep copies. Format 1: version byte, last time, series. Format 2 (a
     * value that holds its waiting events): the same, then the waiting events and the recent ids.
     * Format 3, what serving writes now: format 2 with the series in their compact form ({@link
     * BucketSeries#writeCompact}), since serving writes the value on every event. Every format is
     * read; the backfill's values keep format 1.
     */
    public static final class Serializer extends TypeSerializer<EntityFeatureState> {
        private static final long serialVersionUID = 1L;
        private static final int FORMAT = 1;
        private static final int FORMAT_WITH_WAITING = 2;
        private static final int FORMAT_COMPACT_WITH_WAITING = 3;
        private static final EventSerializer EVENTS = new EventSerializer();

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
            out.writeByte(state.holdsWaitingEvents ? FORMAT_COMPACT_WITH_WAITING : FORMAT);
            out.writeLong(state.lastEventTime);
            out.writeShort(state.series.length);
            for (BucketSeries s : state.series) {
                if (state.holdsWaitingEvents) {
                    s.writeCompact(out);
                } else {
                    s.write(out);
                }
            }
            if (state.holdsWaitingEvents) {
                List<Event> waiting = state.waitingOrEmpty();
                out.writeInt(waiting.size());
                for (Event event : waiting) {
                    EVENTS.serialize(event, out);
                }
                long[] ids = state.recentIds;
                out.writeInt(ids == null ? -1 : ids.length);
                if (ids != null) {
                    for (long id : ids) {
                        out.writeLong(id);
                    }
                }
            }
        }

        @Override
        public EntityFeatureState deserialize(DataInputView in) throws IOException {
            int format = in.readUnsignedByte();
            if (format != FORMAT && format != FORMAT_WITH_WAITING && format != FORMAT_COMPACT_WITH_WAITING) {
                throw new IOException("EntityFeatureState format " + format + " is not readable by this build");
            }
            long last = in.readLong();
            BucketSeries[] series = new BucketSeries[in.readUnsignedShort()];
            for (int i = 0; i < series.length; i++) {
                series[i] = format == FORMAT_COMPACT_WITH_WAITING ? BucketSeries.readCompact(in) : BucketSeries.read(in);
            }
            var state = new EntityFeatureState(last, series);
            if (format != FORMAT) {
                state.holdsWaitingEvents = true;
                int count = in.readInt();
                if (count > 0) {
                    state.waiting = new ArrayList<>(count + 1);
                    for (int i = 0; i < count; i++) {
                        state.waiting.add(EVENTS.deserialize(in));
                    }
                }
                int ids = in.readInt();
                if (ids >= 0) {
                    state.recentIds = new long[ids];
                    for (int i = 0; i < ids; i++) {
                        state.recentIds[i] = in.readLong();
                    }
                }
            }
            return state;
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
