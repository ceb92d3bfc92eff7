package io.loopline.operators.features;

import io.loopline.state.serialization.DeadLetterSerializer;
import io.loopline.state.serialization.EventSerializer;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.aggregates.EntityFeatureState;
import io.loopline.state.aggregates.EntityStateSnapshot;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.Event;
import io.loopline.state.records.EventWithAggregates;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by entity: emits each event with its entity's aggregates as of the event's time, computed
 * only from the entity's events with a strictly earlier timestamp (events with equal timestamps do
 * not see each other). This is the backfill's operator (BATCH, or a stream replayed in event time);
 * serving uses {@link ArrivalFeatureAggregation}, which computes the same numbers without waiting.
 *
 * <p>Order. Events are buffered until the watermark passes their timestamp, then folded into the
 * aggregates per timestamp in event-time order (and by event id within a timestamp), so arrival
 * order never changes the aggregates; each event leaves as it is folded in. An event at or behind
 * the watermark is featurized at once if its entity has aggregated nothing as new (its features are
 * then the on-time ones); otherwise it is {@code late} and goes to {@link #LATE}. In BATCH, Flink
 * fires all of a key's timers in timestamp order after its input: one pass over the key's events.
 *
 * <p>Bounded state. Per entity: the events waiting for the watermark (appending one is a RocksDB
 * merge, no read), and one {@link EntityFeatureState} with bucket series that drop buckets once they
 * leave their window (read and written once per processed timestamp). An entity idle for longer
 * than the spec's {@code idle_ttl} in event time restarts from empty aggregates (checked on its next
 * event, identically in both modes), and Flink's state TTL (processing time, same duration) drops
 * entities that never come back: RocksDB in compaction, the heap backend in full snapshots. With
 * deduplication on, also the entity's ids of the last {@code dedup_window} of event time, at most
 * {@code dedup_max_ids} of them ({@link RecentEventIds}).
 */
public final class FeatureAggregation extends KeyedProcessFunction<String, Event, EventWithAggregates> {
    private static final long serialVersionUID = 1L;

    /** Events that are not featurized: late ones (reason {@code late}) and duplicates ({@code duplicate-event-id}). */
    public static final OutputTag<DeadLetter> LATE = new OutputTag<>("late-events", DeadLetterSerializer.TYPE_INFO);
    public static final String LATE_REASON = "late";
    public static final String DUPLICATE_REASON = "duplicate-event-id";
    /** Each entity's state once all its input is processed (end of a bounded input): feeds the backfill's savepoint. */
    public static final OutputTag<EntityStateSnapshot> FINAL_STATES = new OutputTag<>("final-entity-states", EntityStateSnapshot.TYPE_INFO);

    private final FeatureSpec spec;
    private transient EntityAggregator aggregator;
    private transient ValueState<EntityFeatureState> entityState;
    private transient ListState<Event> pending;
    private transient ValueState<long[]> recentIds;
    private transient Counter duplicateEvents;
    private transient Counter eventsBehindWatermark;
    private transient Counter lateEvents;

    private FeatureAggregation(FeatureSpec spec) {
        this.spec = spec;
    }

    /** Each event leaves once the watermark passes it, in event-time order: BATCH, where a key's input comes in file order. */
    public static FeatureAggregation inEventTimeOrder(FeatureSpec spec) {
        return new FeatureAggregation(spec);
    }

    /** Each event leaves as it arrives, with its point-in-time features: serving, where waiting for the watermark is latency. */
    public static ArrivalFeatureAggregation onArrival(FeatureSpec spec) {
        return new ArrivalFeatureAggregation(spec);
    }

    /**
     * The per-entity state's descriptor, TTL included. The savepoint bootstrap uses the same one:
     * TTL changes the stored format, so both sides must agree.
     */
    public static ValueStateDescriptor<EntityFeatureState> entityStateDescriptor(FeatureSpec spec) {
        var descriptor = new ValueStateDescriptor<>("entity-features", EntityFeatureState.TYPE_INFO);
        descriptor.enableTimeToLive(ttl(spec));
        return descriptor;
    }

    /** The events waiting for the watermark, kept beside the aggregates (serving kept them here too before they moved inside). */
    static ListStateDescriptor<Event> pendingDescriptor(FeatureSpec spec) {
        var descriptor = new ListStateDescriptor<>("pending-events", EventSerializer.TYPE_INFO);
        descriptor.enableTimeToLive(ttl(spec));
        return descriptor;
    }

    /** The deduplication's recent ids, kept beside the aggregates (serving kept them here too before they moved inside). */
    static ValueStateDescriptor<long[]> recentIdsDescriptor(FeatureSpec spec) {
        var descriptor = new ValueStateDescriptor<>("recent-event-ids", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
        descriptor.enableTimeToLive(ttl(spec));
        return descriptor;
    }

    private static StateTtlConfig ttl(FeatureSpec spec) {
        return StateTtlConfig.newBuilder(spec.idleTtl())
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                // RocksDB drops expired entities while compacting; the heap backend when it snapshots.
                // (Incremental heap cleanup scans state on every access: it cost a third of the throughput.)
                .cleanupInRocksdbCompactFilter(1000)
                .cleanupFullSnapshot()
                .build();
    }

    @Override
    public void open(OpenContext openContext) {
        aggregator = new EntityAggregator(spec);
        entityState = getRuntimeContext().getState(entityStateDescriptor(spec));
        pending = getRuntimeContext().getListState(pendingDescriptor(spec));
        if (spec.deduplication().enabled()) {
            recentIds = getRuntimeContext().getState(recentIdsDescriptor(spec));
        }
        var metrics = getRuntimeContext().getMetricGroup().addGroup("loopline");
        duplicateEvents = metrics.counter("events_duplicate");
        eventsBehindWatermark = metrics.counter("events_behind_watermark");
        lateEvents = metrics.counter("events_late");
    }

    @Override
    public void processElement(Event event, Context ctx, Collector<EventWithAggregates> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        if (event.timestamp() <= watermark) {
            featurizeBehindWatermark(event, watermark, ctx, out);
            return;
        }
        // An append: on RocksDB a merge, no read. The entity's aggregates are only updated when the timer fires.
        pending.add(event);
        // One timer per distinct timestamp: the timer service ignores a second registration.
        ctx.timerService().registerEventTimeTimer(event.timestamp());
    }

    /**
     * An event behind the watermark (a partition that resumed after the others, a producer that
     * retried late) is still on time for its entity when the entity has aggregated nothing newer:
     * its features are then exactly what they would have been on time, and what the backfill computes.
     * Only an event older than its entity's newest aggregated one (or of the same time, whose peers
     * are already folded in), or more than {@code idle_ttl} behind the watermark, is late.
     */
    private void featurizeBehindWatermark(Event event, long watermark, Context ctx, Collector<EventWithAggregates> out) throws Exception {
        long behind = watermark - event.timestamp();
        EntityFeatureState state = behind <= spec.idleTtl().toMillis() ? entityState.value() : null;
        boolean newerThanEntity = state == null || state.lastEventTime() == EntityFeatureState.NO_EVENT || event.timestamp() > state.lastEventTime();
        if (behind <= spec.idleTtl().toMillis() && newerThanEntity) {
            List<Event> one = List.of(event);
            if (recentIds != null) {
                one = withoutDuplicates(one, ctx);
            }
            if (!one.isEmpty()) {
                EntityFeatureState current = state != null ? state : aggregator.empty();
                aggregator.process(current, one, event.timestamp(), out);
                entityState.update(current);
                eventsBehindWatermark.inc();
            }
            return;
        }
        lateEvents.inc();
        String why = behind > spec.idleTtl().toMillis()
                ? "more than idle_ttl (" + spec.idleTtl() + ") behind the watermark " + watermark
                : "at or before its entity's newest aggregated event at " + state.lastEventTime() + " (watermark " + watermark + ")";
        ctx.output(LATE, aggregator.late(event, why, ctx.timerService().currentProcessingTime()));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EventWithAggregates> out) throws Exception {
        // Everything at or behind the watermark is final, so the first timer of a watermark advance
        // processes all of it (the entity's later timers then find nothing). In BATCH the watermark
        // is at the end of time when a key's timers fire: one pass over the key's events, in order.
        long processUpTo = Math.max(timestamp, ctx.timerService().currentWatermark());
        List<Event> due = new ArrayList<>();
        List<Event> later = new ArrayList<>();
        Iterable<Event> waiting = pending.get();
        if (waiting != null) {
            for (Event event : waiting) {
                (event.timestamp() <= processUpTo ? due : later).add(event);
            }
        }
        if (due.isEmpty()) {
            return;
        }
        if (later.isEmpty()) {
            pending.clear();
        } else {
            pending.update(later);
        }
        due.sort(EntityAggregator.EVENT_ORDER);
        if (recentIds != null) {
            due = withoutDuplicates(due, ctx);
            if (due.isEmpty()) {
                return;
            }
        }
        EntityFeatureState state = entityState.value();
        if (state == null) {
            state = aggregator.empty();
        }
        int from = 0;
        while (from < due.size()) {
            long time = due.get(from).timestamp();
            int to = EntityAggregator.endOfTimestamp(due, from);
            if (state.lastEventTime() != EntityFeatureState.NO_EVENT && time < state.lastEventTime()) {
                // Older than what this entity's state already holds: after a warm start from a savepoint (the backfill's),
                // a stream read from before the savepoint's end replays events the state has seen. Folding them in would
                // break the time order of the aggregates: they are late.
                for (Event event : due.subList(from, to)) {
                    lateEvents.inc();
                    ctx.output(LATE, aggregator.late(event, "before the entity's last aggregated event at " + state.lastEventTime()
                            + " (restored state)", ctx.timerService().currentProcessingTime()));
                }
            } else {
                aggregator.process(state, due.subList(from, to), time, out);
            }
            if (time != timestamp) {
                // Its events are done: without this, a busy entity would re-read its pending list
                // once per remaining timer of this watermark advance.
                ctx.timerService().deleteEventTimeTimer(time);
            }
            from = to;
        }
        entityState.update(state);
        if (later.isEmpty() && ctx.timerService().currentWatermark() == Long.MAX_VALUE) {
            ctx.output(FINAL_STATES, new EntityStateSnapshot(ctx.getCurrentKey(), state.copy()));
        }
    }

    /**
     * Drops (to dead letters) the events whose id this entity already had within the deduplication
     * window of event time; in time order, so BATCH and STREAMING drop the same ones.
     */
    private List<Event> withoutDuplicates(List<Event> due, Context ctx) throws Exception {
        RecentEventIds seen = aggregator.recentIds(recentIds.value());
        List<Event> first = EntityAggregator.firstSightings(seen, due, event -> {
            duplicateEvents.inc();
            ctx.output(LATE, aggregator.duplicate(event, ctx.timerService().currentProcessingTime()));
        });
        recentIds.update(seen.toStore(due.get(due.size() - 1).timestamp()));
        return first;
    }
}
