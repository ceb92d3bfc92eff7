package io.loopline.operators.features;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.aggregates.EntityFeatureState;
import io.loopline.state.records.Event;
import io.loopline.state.records.EventWithAggregates;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Serving's feature aggregation: each event leaves the moment it arrives, with exactly the features
 * the backfill ({@link FeatureAggregation}) gives it whenever its entity's earlier events arrived
 * before it, whatever the order of other entities' events.
 *
 * <p>One state access per event. Everything known of an entity is one {@link EntityFeatureState}
 * value: the aggregates of its events behind the watermark, its events still within the spec's
 * out-of-orderness (waiting), and its recent event ids. An event reads it once, folds in the waiting
 * events the watermark has passed (in event-time order, as the backfill does), leaves with the
 * aggregates plus its waiting events of strictly earlier timestamps, joins the waiting events, and
 * writes the value once. No timers: folding waits for the entity's next event, which is the first
 * moment the aggregates are read, so the numbers are the same as folding when the watermark passes.
 *
 * <p>An event that arrives after a later one of its entity still gets exactly its point-in-time
 * features (the later one waits, unseen, until the watermark passes it). The later one, which left
 * first, could not see it: it is counted in {@code events_out_of_entity_order}. An event at or behind
 * the watermark is featurized at once if its entity has aggregated nothing as new; otherwise it is
 * {@code late} and goes to {@link FeatureAggregation#LATE}, as in the backfill.
 *
 * <p>State written by the backfill's savepoint, or by a version that kept waiting events and ids in
 * states of their own (with a timer per timestamp), is taken over as it is met: an entity's first
 * access after such a restore moves its waiting events and ids into its value, and a timer restored
 * from the old layout does the same for its entity.
 */
public final class ArrivalFeatureAggregation extends KeyedProcessFunction<String, Event, EventWithAggregates> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private final FeatureSpec spec;
    private transient EntityAggregator aggregator;
    private transient ValueState<EntityFeatureState> entityState;
    private transient ListState<Event> separateWaiting;
    private transient ValueState<long[]> separateRecentIds;
    private transient boolean restored;
    /** Set by {@link #load} when it moved state of the older layout into the value: the value must then be written. */
    private transient boolean tookOver;
    private transient Counter duplicateEvents;
    private transient Counter eventsBehindWatermark;
    private transient Counter lateEvents;
    private transient Counter outOfEntityOrder;

    ArrivalFeatureAggregation(FeatureSpec spec) {
        this.spec = spec;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        restored = context.isRestored();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        // All of it is keyed state.
    }

    @Override
    public void open(OpenContext openContext) {
        aggregator = new EntityAggregator(spec);
        entityState = getRuntimeContext().getState(FeatureAggregation.entityStateDescriptor(spec));
        separateWaiting = getRuntimeContext().getListState(FeatureAggregation.pendingDescriptor(spec));
        if (spec.deduplication().enabled()) {
            separateRecentIds = getRuntimeContext().getState(FeatureAggregation.recentIdsDescriptor(spec));
        }
        var metrics = getRuntimeContext().getMetricGroup().addGroup("loopline");
        duplicateEvents = metrics.counter("events_duplicate");
        eventsBehindWatermark = metrics.counter("events_behind_watermark");
        lateEvents = metrics.counter("events_late");
        outOfEntityOrder = metrics.counter("events_out_of_entity_order");
    }

    @Override
    public void processElement(Event event, Context ctx, Collector<EventWithAggregates> out) throws Exception {
        EntityFeatureState state = load(restored);
        long watermark = ctx.timerService().currentWatermark();
        boolean changed = tookOver;
        changed |= foldPassed(state, watermark, ctx);
        if (event.timestamp() <= watermark) {
            changed |= featurizeBehindWatermark(state, event, watermark, ctx, out);
        } else {
            changed |= leaveNow(state, event, ctx, out);
        }
        if (changed) {
            entityState.update(state);
        }
    }

    /** Only timers restored from the older layout fire here: their entity's waiting events move into its value. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EventWithAggregates> out) throws Exception {
        EntityFeatureState state = load(true);
        foldPassed(state, ctx.timerService().currentWatermark(), ctx);
        entityState.update(state);
    }

    /**
     * The entity's value, with what an older layout kept beside it moved in. A value that does not
     * hold its waiting events was written that way; a missing one can only have such neighbours after
     * a restore.
     */
    private EntityFeatureState load(boolean mayHaveSeparateState) throws Exception {
        tookOver = false;
        EntityFeatureState state = entityState.value();
        if (state != null && state.holdsWaitingEvents()) {
            return state;
        }
        if (state == null) {
            state = aggregator.empty();
            if (!mayHaveSeparateState) {
                state.holdWaitingEvents();
                return state;
            }
        }
        state.holdWaitingEvents();
        tookOver = true; // even with nothing beside it, the value now says so: the next read skips this
        Iterable<Event> waiting = separateWaiting.get();
        if (waiting != null) {
            for (Event event : waiting) {
                state.waiting().add(event);
            }
            separateWaiting.clear();
        }
        if (separateRecentIds != null) {
            long[] ids = separateRecentIds.value();
            if (ids != null) {
                state.setRecentIds(ids);
                separateRecentIds.clear();
            }
        }
        return state;
    }

    /** Folds the waiting events at or behind the watermark into the aggregates, as the backfill does when it passes them. */
    private boolean foldPassed(EntityFeatureState state, long watermark, Context ctx) {
        if (!state.hasWaiting()) {
            return false;
        }
        List<Event> waiting = state.waiting();
        List<Event> due = null;
        for (int i = 0; i < waiting.size(); i++) {
            if (waiting.get(i).timestamp() <= watermark) {
                if (due == null) {
                    due = new ArrayList<>();
                }
                due.add(waiting.get(i));
            }
        }
        if (due == null) {
            return false;
        }
        waiting.removeIf(event -> event.timestamp() <= watermark);
        due.sort(EntityAggregator.EVENT_ORDER);
        if (spec.deduplication().enabled()) {
            due = withoutDuplicates(state, due, ctx);
        }
        int from = 0;
        while (from < due.size()) {
            long time = due.get(from).timestamp();
            int to = EntityAggregator.endOfTimestamp(due, from);
            if (state.lastEventTime() != EntityFeatureState.NO_EVENT && time < state.lastEventTime()) {
                // Older than the aggregates: after a warm start, a stream read from before the savepoint's end (see FeatureAggregation).
                for (Event event : due.subList(from, to)) {
                    lateEvents.inc();
                    ctx.output(FeatureAggregation.LATE, aggregator.late(event, "before the entity's last aggregated event at "
                            + state.lastEventTime() + " (restored state)", ctx.timerService().currentProcessingTime()));
                }
            } else {
                aggregator.process(state, due.subList(from, to), time, null); // they left on arrival
            }
            from = to;
        }
        return true;
    }

    /**
     * Emits {@code event} with the aggregates of the entity's folded events and its waiting events of
     * strictly earlier timestamps (folded into a copy), then adds it to the waiting events. False if
     * it is a duplicate (dead-lettered): it then neither leaves nor waits.
     */
    private boolean leaveNow(EntityFeatureState state, Event event, Context ctx, Collector<EventWithAggregates> out) {
        long time = event.timestamp();
        List<Event> earlier = null;
        boolean duplicate = false;
        boolean overtaken = false;
        long dedupFrom = spec.deduplication().enabled() ? time - spec.deduplication().window().toMillis() : Long.MAX_VALUE;
        if (state.hasWaiting()) {
            for (Event e : state.waiting()) {
                if (e.timestamp() < time) {
                    if (earlier == null) {
                        earlier = new ArrayList<>();
                    }
                    earlier.add(e);
                }
                duplicate |= e.timestamp() >= dedupFrom && e.id().equals(event.id());
                overtaken |= e.timestamp() > time;
            }
        }
        if (spec.deduplication().enabled() && (duplicate || aggregator.recentIds(state.recentIds()).seenWithin(event.id(), time))) {
            duplicateEvents.inc();
            ctx.output(FeatureAggregation.LATE, aggregator.duplicate(event, ctx.timerService().currentProcessingTime()));
            return false;
        }
        EntityFeatureState view = state;
        if (earlier != null) {
            view = state.copyAggregates();
            earlier.sort(EntityAggregator.EVENT_ORDER);
            int from = 0;
            while (from < earlier.size()) {
                long at = earlier.get(from).timestamp();
                int to = EntityAggregator.endOfTimestamp(earlier, from);
                if (view.lastEventTime() == EntityFeatureState.NO_EVENT || at >= view.lastEventTime()) {
                    aggregator.process(view, earlier.subList(from, to), at, null); // (older ones will be dead-lettered as late when due)
                }
                from = to;
            }
        }
        if (aggregator.expired(view, time)) {
            view = aggregator.empty();
        }
        if (overtaken) {
            outOfEntityOrder.inc(); // a later event of its entity left without it: that one's features differ from the backfill's
        }
        out.collect(new EventWithAggregates(event, aggregator.aggregatesAt(view, time)));
        state.waiting().add(event);
        return true;
    }

    /**
     * An event behind the watermark is still on time for its entity when the entity has aggregated
     * nothing newer (see {@link FeatureAggregation}); otherwise, or more than {@code idle_ttl} behind, it is late.
     */
    private boolean featurizeBehindWatermark(EntityFeatureState state, Event event, long watermark, Context ctx,
            Collector<EventWithAggregates> out) {
        long behind = watermark - event.timestamp();
        boolean withinTtl = behind <= spec.idleTtl().toMillis();
        if (withinTtl && (state.lastEventTime() == EntityFeatureState.NO_EVENT || event.timestamp() > state.lastEventTime())) {
            List<Event> one = List.of(event);
            if (spec.deduplication().enabled()) {
                one = withoutDuplicates(state, one, ctx);
            }
            if (!one.isEmpty()) {
                aggregator.process(state, one, event.timestamp(), out);
                eventsBehindWatermark.inc();
            }
            return true;
        }
        lateEvents.inc();
        String why = withinTtl
                ? "at or before its entity's newest aggregated event at " + state.lastEventTime() + " (watermark " + watermark + ")"
                : "more than idle_ttl (" + spec.idleTtl() + ") behind the watermark " + watermark;
        ctx.output(FeatureAggregation.LATE, aggregator.late(event, why, ctx.timerService().currentProcessingTime()));
        return false;
    }

    /** Drops (to dead letters) the events whose id this entity already had within the deduplication window, in time order. */
    private List<Event> withoutDuplicates(EntityFeatureState state, List<Event> due, Context ctx) {
        RecentEventIds seen = aggregator.recentIds(state.recentIds());
        List<Event> first = EntityAggregator.firstSightings(seen, due, event -> {
            duplicateEvents.inc();
            ctx.output(FeatureAggregation.LATE, aggregator.duplicate(event, ctx.timerService().currentProcessingTime()));
        });
        state.setRecentIds(seen.toStore(due.get(due.size() - 1).timestamp()));
        return first;
    }
}
