package io.loopline.operators.features;

import io.loopline.operators.features.spec.Aggregate;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.features.spec.WindowDefinition;
import io.loopline.state.aggregates.EntityFeatureState;
import io.loopline.state.aggregates.EntityStateSnapshot;
import io.loopline.state.aggregates.WindowStats;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.Event;
import io.loopline.state.records.EventWithAggregates;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
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
 * not see each other).
 *
 * <p>Order. Events are buffered until the watermark passes their timestamp, then folded into the
 * aggregates per timestamp in event-time order (and by event id within a timestamp), so arrival
 * order never changes the aggregates. In STREAMING the watermark trails the largest timestamp by the
 * spec's out-of-orderness.
 *
 * <p>When each event leaves. {@linkplain #inEventTimeOrder In event-time order} (BATCH, the
 * backfill), an event leaves when the watermark passes it. {@linkplain #onArrival On arrival}
 * (serving), it leaves at once, with the aggregates of the entity's folded events plus its waiting
 * events of strictly earlier timestamps: exactly its point-in-time features whenever its entity's
 * earlier events have arrived before it, whatever the order of other entities' events. (An event
 * cannot see an earlier one of its entity that arrives after it; the same event then differs from
 * the backfill, which sees all of them. The aggregates themselves never depend on arrival order.) An event at or behind the watermark is featurized at once if its entity has
 * aggregated nothing as new (its features are then the on-time ones); otherwise it is {@code late}
 * and goes to {@link #LATE}.
 * In BATCH, Flink fires all of a key's timers in timestamp order after its input: the same code
 * gives the same numbers.
 *
 * <p>Bounded state. Per entity: the events waiting for the watermark (only ever those within the
 * out-of-orderness bound; appending one is a RocksDB merge, no read), and one {@link
 * EntityFeatureState} with bucket series that drop buckets once they leave their window (read and
 * written once per processed timestamp). An entity idle for longer than the spec's {@code idle_ttl} in event time
 * restarts from empty aggregates (checked on its next event, identically in both modes), and
 * Flink's state TTL (processing time, same duration) drops entities that never come back: RocksDB
 * in compaction, the heap backend in full snapshots. With deduplication on, also the entity's ids of
 * the last {@code dedup_window} of event time, at most {@code dedup_max_ids} of them ({@link RecentEventIds}).
 */
public final class FeatureAggregation extends KeyedProcessFunction<String, Event, EventWithAggregates> {
    private static final long serialVersionUID = 1L;

    /** Events that are not featurized: late ones (reason {@code late}) and duplicates ({@code duplicate-event-id}). */
    public static final OutputTag<DeadLetter> LATE = new OutputTag<>("late-events", DeadLetter.TYPE_INFO);
    public static final String LATE_REASON = "late";
    public static final String DUPLICATE_REASON = "duplicate-event-id";
    /** Each entity's state once all its input is processed (end of a bounded input): feeds the backfill's savepoint. */
    public static final OutputTag<EntityStateSnapshot> FINAL_STATES = new OutputTag<>("final-entity-states", EntityStateSnapshot.TYPE_INFO);
    private static final Comparator<Event> EVENT_ORDER = Comparator.comparingLong(Event::timestamp).thenComparing(Event::id);

    private final FeatureSpec spec;
    private final boolean emitOnArrival;
    private transient ValueState<EntityFeatureState> entityState;
    private transient ListState<Event> pending;
    private transient ValueState<long[]> recentIds;
    private transient Counter duplicateEvents;
    private transient Counter eventsBehindWatermark;
    private transient WindowStats stats;
    private transient Counter lateEvents;
    private transient Counter outOfEntityOrder;

    private FeatureAggregation(FeatureSpec spec, boolean emitOnArrival) {
        this.spec = spec;
        this.emitOnArrival = emitOnArrival;
    }

    /** Each event leaves once the watermark passes it, in event-time order: BATCH, where a key's input comes in file order. */
    public static FeatureAggregation inEventTimeOrder(FeatureSpec spec) {
        return new FeatureAggregation(spec, false);
    }

    /** Each event leaves as it arrives, with its point-in-time features: serving, where waiting for the watermark is latency. */
    public static FeatureAggregation onArrival(FeatureSpec spec) {
        return new FeatureAggregation(spec, true);
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
        entityState = getRuntimeContext().getState(entityStateDescriptor(spec));
        var pendingDescriptor = new ListStateDescriptor<>("pending-events", Event.TYPE_INFO);
        pendingDescriptor.enableTimeToLive(ttl(spec));
        pending = getRuntimeContext().getListState(pendingDescriptor);
        if (spec.deduplication().enabled()) {
            var recentDescriptor = new ValueStateDescriptor<>("recent-event-ids", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
            recentDescriptor.enableTimeToLive(ttl(spec));
            recentIds = getRuntimeContext().getState(recentDescriptor);
        }
        duplicateEvents = getRuntimeContext().getMetricGroup().addGroup("loopline").counter("events_duplicate");
        eventsBehindWatermark = getRuntimeContext().getMetricGroup().addGroup("loopline").counter("events_behind_watermark");
        stats = new WindowStats();
        lateEvents = getRuntimeContext().getMetricGroup().addGroup("loopline").counter("events_late");
        outOfEntityOrder = getRuntimeContext().getMetricGroup().addGroup("loopline").counter("events_out_of_entity_order");
    }

    @Override
    public void processElement(Event event, Context ctx, Collector<EventWithAggregates> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        if (event.timestamp() <= watermark) {
            featurizeBehindWatermark(event, watermark, ctx, out);
            return;
        }
        if (emitOnArrival && !emitNow(event, ctx, out)) {
            return;
        }
        // An append: on RocksDB a merge, no read. The entity's aggregates are only updated when the timer fires.
        pending.add(event);
        // One timer per distinct timestamp: the timer service ignores a second registration.
        ctx.timerService().registerEventTimeTimer(event.timestamp());
    }

    /**
     * Emits {@code event} with the aggregates of the entity's folded events and its waiting events of
     * strictly earlier timestamps, folded into a copy (the state itself changes only when the watermark
     * passes). False if it is a duplicate (dead-lettered): it then neither leaves nor waits.
     */
    private boolean emitNow(Event event, Context ctx, Collector<EventWithAggregates> out) throws Exception {
        long time = event.timestamp();
        List<Event> earlier = new ArrayList<>();
        boolean duplicate = false;
        boolean overtaken = false;
        Iterable<Event> waiting = pending.get();
        if (waiting != null) {
            long dedupFrom = recentIds == null ? Long.MAX_VALUE : time - spec.deduplication().window().toMillis();
            for (Event e : waiting) {
                if (e.timestamp() < time) {
                    earlier.add(e);
                }
                duplicate |= e.timestamp() >= dedupFrom && e.id().equals(event.id());
                overtaken |= e.timestamp() > time;
            }
        }
        if (recentIds != null && (duplicate || new RecentEventIds(recentIds.value(), spec.deduplication().window().toMillis(),
                spec.deduplication().maxIdsPerEntity()).seenWithin(event.id(), time))) {
            deadLetterDuplicate(event, ctx);
            return false;
        }
        EntityFeatureState state = entityState.value();
        if (!earlier.isEmpty()) {
            state = state == null ? new EntityFeatureState(spec.windows().size()) : state.copy();
            earlier.sort(EVENT_ORDER);
            int from = 0;
            while (from < earlier.size()) {
                long at = earlier.get(from).timestamp();
                int to = endOfTimestamp(earlier, from);
                if (state.lastEventTime() == EntityFeatureState.NO_EVENT || at >= state.lastEventTime()) {
                    process(state, earlier.subList(from, to), at, null); // (older ones will be dead-lettered as late when due)
                }
                from = to;
            }
        }
        if (state == null || expired(state, time)) {
            state = new EntityFeatureState(spec.windows().size());
        }
        if (overtaken) {
            outOfEntityOrder.inc(); // a later event of its entity left without it: that one's features differ from the backfill's
        }
        out.collect(new EventWithAggregates(event, aggregatesAt(state, time)));
        return true;
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
                EntityFeatureState current = state != null ? state : new EntityFeatureState(spec.windows().size());
                process(current, one, event.timestamp(), out);
                entityState.update(current);
                eventsBehindWatermark.inc();
            }
            return;
        }
        lateEvents.inc();
        String why = behind > spec.idleTtl().toMillis()
                ? "more than idle_ttl (" + spec.idleTtl() + ") behind the watermark " + watermark
                : "at or before its entity's newest aggregated event at " + state.lastEventTime() + " (watermark " + watermark + ")";
        ctx.output(LATE, new DeadLetter(LATE_REASON, spec.schema().timeField(), "event time " + event.timestamp() + " is " + why,
                "entity " + event.entity(), event.entity().getBytes(StandardCharsets.UTF_8),
                EventJson.encode(event, spec.schema()), ctx.timerService().currentProcessingTime()));
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
        due.sort(EVENT_ORDER);
        if (recentIds != null) {
            due = withoutDuplicates(due, ctx);
            if (due.isEmpty()) {
                return;
            }
        }
        EntityFeatureState state = entityState.value();
        if (state == null) {
            state = new EntityFeatureState(spec.windows().size());
        }
        int from = 0;
        while (from < due.size()) {
            long time = due.get(from).timestamp();
            int to = endOfTimestamp(due, from);
            if (state.lastEventTime() != EntityFeatureState.NO_EVENT && time < state.lastEventTime()) {
                // Older than what this entity's state already holds: after a warm start from a savepoint (the backfill's),
                // a stream read from before the savepoint's end replays events the state has seen. Folding them in would
                // break the time order of the aggregates: they are late.
                for (Event event : due.subList(from, to)) {
                    lateEvents.inc();
                    ctx.output(LATE, new DeadLetter(LATE_REASON, spec.schema().timeField(),
                            "event time " + event.timestamp() + " is before the entity's last aggregated event at " + state.lastEventTime()
                                    + " (restored state)", "entity " + event.entity(), event.entity().getBytes(StandardCharsets.UTF_8),
                            EventJson.encode(event, spec.schema()), ctx.timerService().currentProcessingTime()));
                }
            } else {
                process(state, due.subList(from, to), time, emitOnArrival ? null : out); // on arrival, they have left already
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

    /** In events sorted by time, the index after the last one with the timestamp of {@code from}. */
    private static int endOfTimestamp(List<Event> sorted, int from) {
        long time = sorted.get(from).timestamp();
        int to = from;
        while (to < sorted.size() && sorted.get(to).timestamp() == time) {
            to++;
        }
        return to;
    }

    /**
     * Drops (to dead letters) the events whose id this entity already had within the deduplication
     * window of event time; in time order, so BATCH and STREAMING drop the same ones.
     */
    private List<Event> withoutDuplicates(List<Event> due, Context ctx) throws Exception {
        var rule = spec.deduplication();
        var seen = new RecentEventIds(recentIds.value(), rule.window().toMillis(), rule.maxIdsPerEntity());
        List<Event> first = new ArrayList<>(due.size());
        for (Event event : due) {
            if (seen.firstSighting(event.id(), event.timestamp())) {
                first.add(event);
            } else {
                deadLetterDuplicate(event, ctx);
            }
        }
        recentIds.update(seen.toStore(due.get(due.size() - 1).timestamp()));
        return first;
    }

    private void deadLetterDuplicate(Event event, Context ctx) {
        duplicateEvents.inc();
        ctx.output(LATE, new DeadLetter(DUPLICATE_REASON, spec.schema().idField(),
                "event id '" + event.id() + "' was already processed for this entity within the last "
                        + spec.deduplication().window() + " of event time (state.dedup_window)",
                "entity " + event.entity(), event.entity().getBytes(StandardCharsets.UTF_8),
                EventJson.encode(event, spec.schema()), ctx.timerService().currentProcessingTime()));
    }

    /**
     * Events of one timestamp: all see the same aggregates (of strictly earlier events), then all are
     * added. With {@code out} null they are only added (they left on arrival).
     */
    private void process(EntityFeatureState state, List<Event> events, long timestamp, Collector<EventWithAggregates> out) {
        if (expired(state, timestamp)) {
            state.resetAggregates();
        }
        if (out != null) {
            for (Event event : events) {
                out.collect(new EventWithAggregates(event, aggregatesAt(state, timestamp)));
            }
        }
        for (Event event : events) {
            add(state, event);
        }
        state.setLastEventTime(timestamp);
    }

    private boolean expired(EntityFeatureState state, long now) {
        return state.lastEventTime() != EntityFeatureState.NO_EVENT && now - state.lastEventTime() > spec.idleTtl().toMillis();
    }

    private double[] aggregatesAt(EntityFeatureState state, long timestamp) {
        double[] values = new double[spec.aggregateCount()];
        values[FeatureSpec.SECONDS_SINCE_PREVIOUS] = state.lastEventTime() == EntityFeatureState.NO_EVENT
                ? Double.NaN
                : (timestamp - state.lastEventTime()) / 1000.0;
        List<WindowDefinition> windows = spec.windows();
        for (int w = 0; w < windows.size(); w++) {
            WindowDefinition window = windows.get(w);
            state.series(w).query(window.bucketOf(timestamp), window.buckets(), stats);
            values[FeatureSpec.aggregateIndex(w, Aggregate.COUNT)] = stats.count();
            values[FeatureSpec.aggregateIndex(w, Aggregate.SUM)] = stats.sum();
            values[FeatureSpec.aggregateIndex(w, Aggregate.MEAN)] = stats.mean();
            values[FeatureSpec.aggregateIndex(w, Aggregate.MIN)] = stats.min();
            values[FeatureSpec.aggregateIndex(w, Aggregate.MAX)] = stats.max();
            values[FeatureSpec.aggregateIndex(w, Aggregate.STDDEV)] = stats.stddev();
        }
        return values;
    }

    private void add(EntityFeatureState state, Event event) {
        List<WindowDefinition> windows = spec.windows();
        for (int w = 0; w < windows.size(); w++) {
            WindowDefinition window = windows.get(w);
            double value = window.fieldIndex() < 0 ? 0.0 : event.numbers()[window.fieldIndex()];
            if (!Double.isNaN(value)) {
                state.series(w).add(window.bucketOf(event.timestamp()), value, window.buckets());
            }
        }
    }
}
