package io.loopline.operators.features;

import io.loopline.operators.features.spec.Aggregate;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.features.spec.WindowDefinition;
import io.loopline.state.aggregates.EntityFeatureState;
import io.loopline.state.aggregates.WindowStats;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.Event;
import io.loopline.state.records.EventWithAggregates;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.util.Collector;

/**
 * The feature spec's arithmetic on one entity's {@link EntityFeatureState}, shared by the backfill's
 * and serving's aggregation operators so both compute the same numbers: folding events in, the
 * point-in-time aggregates, the idle reset, and the dead letters for late and repeated events.
 */
final class EntityAggregator {
    static final Comparator<Event> EVENT_ORDER = Comparator.comparingLong(Event::timestamp).thenComparing(Event::id);

    private final FeatureSpec spec;
    private final WindowStats stats = new WindowStats();

    EntityAggregator(FeatureSpec spec) {
        this.spec = spec;
    }

    EntityFeatureState empty() {
        return new EntityFeatureState(spec.windows().size());
    }

    /**
     * Events of one timestamp: all see the same aggregates (of strictly earlier events), then all are
     * added. With {@code out} null they are only added (they left on arrival).
     */
    void process(EntityFeatureState state, List<Event> events, long timestamp, Collector<EventWithAggregates> out) {
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

    boolean expired(EntityFeatureState state, long now) {
        return state.lastEventTime() != EntityFeatureState.NO_EVENT && now - state.lastEventTime() > spec.idleTtl().toMillis();
    }

    /** The aggregates an event at {@code timestamp} sees: those of the entity's events strictly before it. */
    double[] aggregatesAt(EntityFeatureState state, long timestamp) {
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

    /** In events sorted by time, the index after the last one with the timestamp of {@code from}. */
    static int endOfTimestamp(List<Event> sorted, int from) {
        long time = sorted.get(from).timestamp();
        int to = from;
        while (to < sorted.size() && sorted.get(to).timestamp() == time) {
            to++;
        }
        return to;
    }

    DeadLetter late(Event event, String why, long now) {
        return new DeadLetter(FeatureAggregation.LATE_REASON, spec.schema().timeField(), "event time " + event.timestamp() + " is " + why,
                "entity " + event.entity(), event.entity().getBytes(StandardCharsets.UTF_8), EventJson.encode(event, spec.schema()), now);
    }

    DeadLetter duplicate(Event event, long now) {
        return new DeadLetter(FeatureAggregation.DUPLICATE_REASON, spec.schema().idField(),
                "event id '" + event.id() + "' was already processed for this entity within the last "
                        + spec.deduplication().window() + " of event time (state.dedup_window)",
                "entity " + event.entity(), event.entity().getBytes(StandardCharsets.UTF_8), EventJson.encode(event, spec.schema()), now);
    }

    /**
     * The events of {@code due} (in event-time order) whose id {@code seen} has not had within the
     * deduplication window, each recorded there; the others go to {@code repeated}.
     */
    static List<Event> firstSightings(RecentEventIds seen, List<Event> due, java.util.function.Consumer<Event> repeated) {
        List<Event> first = new java.util.ArrayList<>(due.size());
        for (Event event : due) {
            if (seen.firstSighting(event.id(), event.timestamp())) {
                first.add(event);
            } else {
                repeated.accept(event);
            }
        }
        return first;
    }

    /** The deduplication's memory of {@code stored} ids (null for none). */
    RecentEventIds recentIds(long[] stored) {
        return new RecentEventIds(stored, spec.deduplication().window().toMillis(), spec.deduplication().maxIdsPerEntity());
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
