package io.loopline.operators.features;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.aggregates.EntityFeatureState;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.Event;
import io.loopline.state.records.EventWithAggregates;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/**
 * What serving's feature aggregation does with each event (see {@link ArrivalFeatureAggregation}),
 * apart from the Flink function that hosts it: {@link ArrivalFeatureAggregation} alone, or {@link
 * ArrivalFeatureVectors} ahead of chained scoring. It reads and writes the current key's state of the
 * hosting function's runtime context, so both keep the same state, under the same names.
 */
final class ArrivalFeatures {
    /**
     * Where rows go (the event's own, or one featurized behind the watermark) and dead letters; the
     * hosting function points it at its own collector and context before each call.
     */
    interface Outputs extends Collector<EventWithAggregates> {
        void late(DeadLetter letter);

        long processingTime();

        @Override
        default void close() {}
    }

    private final FeatureSpec spec;
    private final boolean restored;
    private final EntityAggregator aggregator;
    private final ValueState<EntityFeatureState> entityState;
    private final ListState<Event> separateWaiting;
    private final ValueState<long[]> separateRecentIds;
    /** Set by {@link #load} when it moved state of the older layout into the value: the value must then be written. */
    private boolean tookOver;
    private final Counter duplicateEvents;
    private final Counter eventsBehindWatermark;
    private final Counter lateEvents;
    private final Counter outOfEntityOrder;

    /** @param restored whether the hosting function was restored (only then can state of the older layout exist) */
    ArrivalFeatures(FeatureSpec spec, RuntimeContext context, boolean restored) {
        this.spec = spec;
        this.restored = restored;
        aggregator = new EntityAggregator(spec);
        entityState = context.getState(FeatureAggregation.entityStateDescriptor(spec));
        separateWaiting = context.getListState(FeatureAggregation.pendingDescriptor(spec));
        separateRecentIds = spec.deduplication().enabled() ? context.getState(FeatureAggregation.recentIdsDescriptor(spec)) : null;
        var metrics = context.getMetricGroup().addGroup("loopline");
        duplicateEvents = metrics.counter("events_duplicate");
        eventsBehindWatermark = metrics.counter("events_behind_watermark");
        lateEvents = metrics.counter("events_late");
        outOfEntityOrder = metrics.counter("events_out_of_entity_order");
    }

    /** One event of the current key, with the operator's watermark: its row (or dead letter) leaves now. */
    void process(Event event, long watermark, Outputs out) throws Exception {
        EntityFeatureState state = load(restored);
        boolean changed = tookOver;
        changed |= foldPassed(state, watermark, out);
        if (event.timestamp() <= watermark) {
            changed |= featurizeBehindWatermark(state, event, watermark, out);
        } else {
            changed |= leaveNow(state, event, out);
        }
        if (changed) {
            entityState.update(state);
        }
    }

    /** A timer restored from the older layout fired for the current key: its waiting events move into its value. */
    void takeOverOnTimer(long watermark, Outputs out) throws Exception {
        EntityFeatureState state = load(true);
        foldPassed(state, watermark, out);
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
    private boolean foldPassed(EntityFeatureState state, long watermark, Outputs out) {
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
            due = withoutDuplicates(state, due, out);
        }
        int from = 0;
        while (from < due.size()) {
            long time = due.get(from).timestamp();
            int to = EntityAggregator.endOfTimestamp(due, from);
            if (state.lastEventTime() != EntityFeatureState.NO_EVENT && time < state.lastEventTime()) {
                // Older than the aggregates: after a warm start, a stream read from before the savepoint's end (see FeatureAggregation).
                for (Event event : due.subList(from, to)) {
                    lateEvents.inc();
                    out.late(aggregator.late(event, "before the entity's last aggregated event at "
                            + state.lastEventTime() + " (restored state)", out.processingTime()));
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
    private boolean leaveNow(EntityFeatureState state, Event event, Outputs out) {
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
            out.late(aggregator.duplicate(event, out.processingTime()));
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
    private boolean featurizeBehindWatermark(EntityFeatureState state, Event event, long watermark, Outputs out) {
        long behind = watermark - event.timestamp();
        boolean withinTtl = behind <= spec.idleTtl().toMillis();
        if (withinTtl && (state.lastEventTime() == EntityFeatureState.NO_EVENT || event.timestamp() > state.lastEventTime())) {
            List<Event> one = List.of(event);
            if (spec.deduplication().enabled()) {
                one = withoutDuplicates(state, one, out);
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
        out.late(aggregator.late(event, why, out.processingTime()));
        return false;
    }

    /** Drops (to dead letters) the events whose id this entity already had within the deduplication window, in time order. */
    private List<Event> withoutDuplicates(EntityFeatureState state, List<Event> due, Outputs out) {
        RecentEventIds seen = aggregator.recentIds(state.recentIds());
        List<Event> first = EntityAggregator.firstSightings(seen, due, event -> {
            duplicateEvents.inc();
            out.late(aggregator.duplicate(event, out.processingTime()));
        });
        state.setRecentIds(seen.toStore(due.get(due.size() - 1).timestamp()));
        return first;
    }
}
