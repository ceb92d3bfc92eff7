package io.loopline.operators.features;

import io.loopline.state.serialization.EventWithAggregatesSerializer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loopline.operators.features.spec.Aggregate;
import io.loopline.operators.features.spec.Deduplication;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.Event;
import io.loopline.state.records.EventWithAggregates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class FeatureAggregationTest {
    private static final FeatureSpec SPEC = TestSpecs.payments();
    private static final int AMOUNT_WINDOW = 0; // 100 ms, 10 ms buckets
    private static final int COUNT_WINDOW = 1; // 1 s, 100 ms buckets

    private static Event event(String id, String entity, long time, double amount) {
        return new Event(id, entity, time, new double[] {amount, 1}, new String[] {"DE", null}, Double.NaN);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Event, EventWithAggregates> harness() throws Exception {
        return harness(SPEC);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Event, EventWithAggregates> harness(FeatureSpec spec) throws Exception {
        return harness(FeatureAggregation.inEventTimeOrder(spec));
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Event, EventWithAggregates> onArrival(FeatureSpec spec) throws Exception {
        return harness(FeatureAggregation.onArrival(spec));
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Event, EventWithAggregates> harness(
            KeyedProcessFunction<String, Event, EventWithAggregates> aggregation) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(aggregation), Event::entity, Types.STRING);
        h.setup(EventWithAggregatesSerializer.TYPE_INFO.createSerializer(new SerializerConfigImpl()));
        return h;
    }

    /** On the heap a value read is the stored object itself; RocksDB keeps only what was written back. */
    private static KeyedOneInputStreamOperatorTestHarness<String, Event, EventWithAggregates> onRocksDb(
            KeyedProcessFunction<String, Event, EventWithAggregates> aggregation) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(aggregation), Event::entity, Types.STRING);
        h.setStateBackend(new org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend());
        h.setup(EventWithAggregatesSerializer.TYPE_INFO.createSerializer(new SerializerConfigImpl()));
        return h;
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, Event, EventWithAggregates> h, Event e) throws Exception {
        h.processElement(new StreamRecord<>(e, e.timestamp()));
    }

    private static double aggregate(EventWithAggregates row, int window, Aggregate aggregate) {
        return row.aggregates()[FeatureSpec.aggregateIndex(window, aggregate)];
    }

    @Test
    void eventsWaitForTheWatermarkAndAreProcessedInEventTimeOrder() throws Exception {
        try (var h = harness()) {
            h.open();
            feed(h, event("b", "u", 20, 2.0));
            feed(h, event("a", "u", 10, 1.0));
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numEventTimeTimers()).isEqualTo(2);

            h.processWatermark(new Watermark(20));

            List<EventWithAggregates> out = h.extractOutputValues();
            assertThat(out).extracting(r -> r.event().id()).containsExactly("a", "b");
            assertThat(aggregate(out.get(0), AMOUNT_WINDOW, Aggregate.COUNT)).isZero();
            assertThat(aggregate(out.get(0), AMOUNT_WINDOW, Aggregate.MEAN)).isNaN();
            assertThat(out.get(0).aggregates()[FeatureSpec.SECONDS_SINCE_PREVIOUS]).isNaN();
            assertThat(aggregate(out.get(1), AMOUNT_WINDOW, Aggregate.COUNT)).isEqualTo(1.0);
            assertThat(aggregate(out.get(1), AMOUNT_WINDOW, Aggregate.SUM)).isEqualTo(1.0);
            assertThat(out.get(1).aggregates()[FeatureSpec.SECONDS_SINCE_PREVIOUS]).isEqualTo(0.01);
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void eventsWithEqualTimestampsDoNotSeeEachOther() throws Exception {
        try (var h = harness()) {
            h.open();
            feed(h, event("y", "u", 5, 7.0));
            feed(h, event("x", "u", 5, 3.0));
            feed(h, event("z", "u", 6, 1.0));
            h.processWatermark(new Watermark(100));

            List<EventWithAggregates> out = h.extractOutputValues();
            assertThat(out).extracting(r -> r.event().id()).containsExactly("x", "y", "z");
            assertThat(aggregate(out.get(0), AMOUNT_WINDOW, Aggregate.COUNT)).isZero();
            assertThat(aggregate(out.get(1), AMOUNT_WINDOW, Aggregate.COUNT)).isZero();
            assertThat(aggregate(out.get(2), AMOUNT_WINDOW, Aggregate.COUNT)).isEqualTo(2.0);
            assertThat(aggregate(out.get(2), AMOUNT_WINDOW, Aggregate.MAX)).isEqualTo(7.0);
        }
    }

    @Test
    void windowAggregatesMatchABruteForceOverTheSameBuckets() throws Exception {
        SplittableRandom random = new SplittableRandom(3);
        List<Event> events = new ArrayList<>();
        long t = 1_000;
        for (int i = 0; i < 400; i++) {
            t += 1 + random.nextInt(15);
            events.add(event("e" + i, "u", t, Math.round(random.nextDouble() * 1000) / 10.0));
        }
        try (var h = harness()) {
            h.open();
            for (Event e : events) {
                feed(h, e);
            }
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            List<EventWithAggregates> out = h.extractOutputValues();
            assertThat(out).hasSize(events.size());
            for (int i = 0; i < out.size(); i++) {
                long now = events.get(i).timestamp();
                long currentBucket = Math.floorDiv(now, 10);
                List<Double> inWindow = new ArrayList<>();
                for (int j = 0; j < i; j++) {
                    long bucket = Math.floorDiv(events.get(j).timestamp(), 10);
                    if (bucket > currentBucket - 10 && events.get(j).timestamp() < now) {
                        inWindow.add(events.get(j).numbers()[0]);
                    }
                }
                EventWithAggregates row = out.get(i);
                double mean = inWindow.stream().mapToDouble(d -> d).average().orElse(Double.NaN);
                double variance = inWindow.stream().mapToDouble(d -> (d - mean) * (d - mean)).sum() / inWindow.size();
                assertThat(aggregate(row, AMOUNT_WINDOW, Aggregate.COUNT)).isEqualTo(inWindow.size());
                assertThat(aggregate(row, AMOUNT_WINDOW, Aggregate.SUM)).isCloseTo(inWindow.stream().mapToDouble(d -> d).sum(), within(1e-9));
                if (!inWindow.isEmpty()) {
                    assertThat(aggregate(row, AMOUNT_WINDOW, Aggregate.MEAN)).isCloseTo(mean, within(1e-9));
                    assertThat(aggregate(row, AMOUNT_WINDOW, Aggregate.MIN)).isEqualTo(inWindow.stream().mapToDouble(d -> d).min().getAsDouble());
                    assertThat(aggregate(row, AMOUNT_WINDOW, Aggregate.MAX)).isEqualTo(inWindow.stream().mapToDouble(d -> d).max().getAsDouble());
                    assertThat(aggregate(row, AMOUNT_WINDOW, Aggregate.STDDEV)).isCloseTo(Math.sqrt(variance), within(1e-9));
                }
                long countBucket = Math.floorDiv(now, 100);
                long counted = events.subList(0, i).stream()
                        .filter(e -> Math.floorDiv(e.timestamp(), 100) > countBucket - 10 && e.timestamp() < now).count();
                assertThat(aggregate(row, COUNT_WINDOW, Aggregate.COUNT)).isEqualTo(counted);
            }
        }
    }

    @Test
    void anEventOlderThanItsEntitysNewestOrFarBehindTheWatermarkIsDeadLetteredAsLate() throws Exception {
        long hour = 3_600_000L;
        try (var h = harness()) {
            h.open();
            feed(h, event("newer", "u", 60, 1.0));
            h.processWatermark(new Watermark(70));
            feed(h, event("late", "u", 50, 1.0));
            feed(h, event("same-time", "u", 60, 1.0));
            h.processWatermark(new Watermark(2 * hour));
            feed(h, event("ancient", "w", 10, 1.0)); // a new entity, but more than idle_ttl (1 h) behind the watermark

            assertThat(h.extractOutputValues()).extracting(r -> r.event().id()).containsExactly("newer");
            List<DeadLetter> late = h.getSideOutput(FeatureAggregation.LATE).stream().map(StreamRecord::getValue).toList();
            assertThat(late).extracting(DeadLetter::reason).containsExactly("late", "late", "late");
            assertThat(late.get(0).field()).isEqualTo("ts");
            assertThat(late.get(0).detail()).contains("newest aggregated event at 60");
            assertThat(late.get(2).detail()).contains("more than idle_ttl");
            assertThat(new String(late.get(0).raw(), java.nio.charset.StandardCharsets.UTF_8)).contains("\"id\":\"late\"", "\"ts\":50");
        }
    }

    @Test
    void behindTheWatermarkButNewerThanItsEntityIsFeaturizedExactlyAsOnTime() throws Exception {
        List<Event> events = List.of(event("a", "u", 10, 4.0), event("b", "v", 20, 7.0), event("c", "u", 30, 6.0), event("d", "v", 40, 2.0),
                event("e", "u", 45, 1.0));
        List<EventWithAggregates> onTime;
        try (var h = harness()) {
            h.open();
            events.forEach(e -> run(() -> feed(h, e)));
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            onTime = h.extractOutputValues();
        }
        try (var h = harness()) {
            h.open();
            // Entity v's partition resumed late: the watermark has passed all of v's events before they arrive.
            feed(h, events.get(0));
            feed(h, events.get(2));
            feed(h, events.get(4));
            h.processWatermark(new Watermark(50));
            feed(h, events.get(1));
            feed(h, events.get(3));
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(h.getSideOutput(FeatureAggregation.LATE)).isNullOrEmpty();
            var byId = new java.util.HashMap<String, double[]>();
            h.extractOutputValues().forEach(r -> byId.put(r.event().id(), r.aggregates()));
            for (EventWithAggregates expected : onTime) {
                assertThat(byId.get(expected.event().id())).as(expected.event().id()).containsExactly(expected.aggregates());
            }
        }
    }

    @Test
    void afterAWarmStartAnEventOlderThanTheRestoredStateIsLateNotACrash() throws Exception {
        OperatorSubtaskState warm;
        try (var h = harness()) {
            h.open();
            feed(h, event("seen", "u", 10_000_000, 1.0));
            h.processWatermark(new Watermark(Long.MAX_VALUE - 1));
            warm = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(warm); // the watermark starts over, as after a savepoint
            h.open();
            feed(h, event("replayed", "u", 500, 1.0));
            feed(h, event("new", "u", 10_001_000, 1.0));
            h.processWatermark(new Watermark(10_002_000));
            assertThat(h.extractOutputValues()).extracting(r -> r.event().id()).containsExactly("new");
            List<DeadLetter> late = h.getSideOutput(FeatureAggregation.LATE).stream().map(StreamRecord::getValue).toList();
            assertThat(late).extracting(DeadLetter::reason).containsExactly("late");
            assertThat(late.get(0).detail()).contains("restored state");
        }
    }

    @Test
    void anEntityIdleLongerThanTheTtlStartsAfresh() throws Exception {
        long hour = 3_600_000L;
        try (var h = harness()) {
            h.open();
            feed(h, event("a", "u", 1_000, 1.0));
            feed(h, event("b", "u", 1_000 + hour + 1, 1.0));
            feed(h, event("c", "u", 1_000 + hour + 2, 1.0));
            h.processWatermark(new Watermark(Long.MAX_VALUE));

            List<EventWithAggregates> out = h.extractOutputValues();
            assertThat(out.get(1).aggregates()[FeatureSpec.SECONDS_SINCE_PREVIOUS]).as("state reset").isNaN();
            assertThat(out.get(2).aggregates()[FeatureSpec.SECONDS_SINCE_PREVIOUS]).isEqualTo(0.001);
        }
    }

    @Test
    void pendingEventsAndAggregatesSurviveSnapshotAndRestore() throws Exception {
        assertARestoreChangesNothing(() -> FeatureAggregation.inEventTimeOrder(SPEC), 1);
    }

    /**
     * a and b arrive, the watermark folds a in (b waits; on arrival it has left already), a snapshot is
     * taken; a new operator restored from it gets c and d: together the same output as without the restore.
     */
    private static void assertARestoreChangesNothing(java.util.function.Supplier<? extends KeyedProcessFunction<String, Event, EventWithAggregates>> aggregation,
            int timersAfterRestore) throws Exception {
        OperatorSubtaskState snapshot;
        List<EventWithAggregates> uninterrupted;
        List<Event> events = List.of(event("a", "u", 10, 4.0), event("b", "u", 12, 6.0), event("c", "u", 15, 5.0), event("d", "u", 30, 1.0));
        try (var h = harness(aggregation.get())) {
            h.open();
            events.forEach(e -> run(() -> feed(h, e)));
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            uninterrupted = h.extractOutputValues();
        }
        List<EventWithAggregates> restoredOutput = new ArrayList<>();
        try (var h = harness(aggregation.get())) {
            h.open();
            feed(h, events.get(0));
            feed(h, events.get(1));
            h.processWatermark(new Watermark(11));
            restoredOutput.addAll(h.extractOutputValues());
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(aggregation.get())) {
            h.initializeState(snapshot);
            h.open();
            assertThat(h.numEventTimeTimers()).as("b's timer restored (serving keeps none)").isEqualTo(timersAfterRestore);
            feed(h, events.get(2));
            feed(h, events.get(3));
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            restoredOutput.addAll(h.extractOutputValues());
        }
        assertThat(restoredOutput).isEqualTo(uninterrupted);
    }

    private static final FeatureSpec DEDUP_1S = SPEC.withDeduplication(new Deduplication(Duration.ofSeconds(1), 100));

    private static final List<Event> WITH_DUPLICATES = List.of(
            event("a", "u", 10, 1.0), event("a", "u", 10, 1.0), event("b", "u", 20, 2.0), event("a", "v", 30, 3.0),
            event("a", "u", 500, 9.0), event("c", "u", 600, 1.0), event("a", "u", 2_000, 4.0));

    /** Each event, then a watermark just behind it (so equal timestamps still meet), then the end of time. */
    private static void streamWithTrailingWatermarks(KeyedOneInputStreamOperatorTestHarness<String, Event, EventWithAggregates> h, List<Event> events)
            throws Exception {
        for (Event e : events) {
            feed(h, e);
            h.processWatermark(new Watermark(e.timestamp() - 1));
        }
        h.processWatermark(new Watermark(Long.MAX_VALUE));
    }

    @Test
    void aRepeatedIdWithinTheWindowIsDeadLetteredAndNotAggregated() throws Exception {
        try (var h = harness(DEDUP_1S)) {
            h.open();
            streamWithTrailingWatermarks(h, WITH_DUPLICATES);

            List<EventWithAggregates> out = h.extractOutputValues();
            assertThat(out).extracting(r -> r.event().entity() + "/" + r.event().id() + "@" + r.event().timestamp())
                    .containsExactlyInAnyOrder("u/a@10", "u/b@20", "v/a@30", "u/c@600", "u/a@2000");
            List<DeadLetter> dropped = h.getSideOutput(FeatureAggregation.LATE).stream().map(StreamRecord::getValue).toList();
            assertThat(dropped).extracting(DeadLetter::reason).containsExactly("duplicate-event-id", "duplicate-event-id");
            assertThat(dropped).allSatisfy(d -> assertThat(d.field()).isEqualTo("id"));
            assertThat(dropped.get(1).detail()).contains("dedup_window");
            // Neither duplicate reached the aggregates: at 600 the 1 s window holds a@10 and b@20 only.
            EventWithAggregates c = out.stream().filter(r -> r.event().id().equals("c")).findFirst().orElseThrow();
            assertThat(aggregate(c, COUNT_WINDOW, Aggregate.COUNT)).isEqualTo(2);
        }
    }

    @Test
    void oneBatchPassDropsTheSameDuplicatesAsTheStream() throws Exception {
        List<String> streamed;
        try (var h = harness(DEDUP_1S)) {
            h.open();
            streamWithTrailingWatermarks(h, WITH_DUPLICATES);
            streamed = h.extractOutputValues().stream().map(r -> r.event().entity() + "@" + r.event().timestamp()).sorted().toList();
        }
        try (var h = harness(DEDUP_1S)) {
            h.open();
            WITH_DUPLICATES.forEach(e -> run(() -> feed(h, e)));
            h.processWatermark(new Watermark(Long.MAX_VALUE)); // BATCH: every timer of a key after all its input
            assertThat(h.extractOutputValues().stream().map(r -> r.event().entity() + "@" + r.event().timestamp()).sorted().toList())
                    .isEqualTo(streamed);
        }
    }

    @Test
    void rememberedIdsSurviveSnapshotAndRestoreAndAreCapped() throws Exception {
        var capTwo = SPEC.withDeduplication(new Deduplication(Duration.ofHours(1), 2));
        OperatorSubtaskState snapshot;
        try (var h = harness(capTwo)) {
            h.open();
            feed(h, event("a", "u", 10, 1.0));
            feed(h, event("b", "u", 11, 1.0));
            h.processWatermark(new Watermark(20));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(capTwo)) {
            h.initializeState(snapshot);
            h.open();
            feed(h, event("b", "u", 30, 1.0)); // remembered across the restore: a duplicate
            feed(h, event("c", "u", 31, 1.0)); // a third id: "a" is forgotten
            h.processWatermark(new Watermark(40));
            feed(h, event("a", "u", 50, 1.0));
            h.processWatermark(new Watermark(60));
            assertThat(h.extractOutputValues()).extracting(r -> r.event().id()).containsExactly("c", "a");
            assertThat(h.getSideOutput(FeatureAggregation.LATE)).extracting(r -> r.getValue().raw())
                    .singleElement().satisfies(raw -> assertThat(new String(raw, java.nio.charset.StandardCharsets.UTF_8)).contains("\"id\":\"b\""));
        }
    }

    /**
     * Entities' events in time order per entity, interleaved across entities with arrival shuffled
     * up to {@code bound} ms, and a watermark trailing the newest arrival by the bound.
     */
    private static List<Event> shuffledAcrossEntities(int n, long bound, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Event> inTime = new ArrayList<>();
        long t = 1_000;
        for (int i = 0; i < n; i++) {
            t += random.nextInt(4); // equal timestamps too
            inTime.add(event("e" + i, "u" + random.nextInt(5), t, random.nextInt(100)));
        }
        // Arrival = time + a random delay within the bound, with each entity's order kept (a partition per entity).
        java.util.Map<String, Long> entityArrival = new java.util.HashMap<>();
        List<long[]> arrival = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Event e = inTime.get(i);
            long at = Math.max(e.timestamp() + random.nextLong(bound), entityArrival.getOrDefault(e.entity(), Long.MIN_VALUE));
            entityArrival.put(e.entity(), at);
            arrival.add(new long[] {at, i});
        }
        arrival.sort(java.util.Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]));
        return arrival.stream().map(a -> inTime.get((int) a[1])).toList();
    }

    @Test
    void onArrivalEachEventLeavesAtOnceWithExactlyTheFeaturesOfTheBatchPass() throws Exception {
        long bound = 40;
        List<Event> arrivals = shuffledAcrossEntities(600, bound, 11);
        java.util.Map<String, List<Double>> batch = new java.util.HashMap<>();
        try (var h = harness()) {
            h.open();
            arrivals.forEach(e -> run(() -> feed(h, e)));
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            h.extractOutputValues().forEach(r -> batch.put(r.event().id(), boxed(r.aggregates())));
        }
        try (var h = onArrival(SPEC)) {
            h.open();
            long newest = Long.MIN_VALUE;
            int fed = 0;
            for (Event e : arrivals) {
                feed(h, e);
                fed++;
                assertThat(h.extractOutputValues()).as("every event has left on arrival").hasSize(fed);
                newest = Math.max(newest, e.timestamp());
                h.processWatermark(new Watermark(newest - bound));
            }
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            List<EventWithAggregates> out = h.extractOutputValues();
            assertThat(out).as("nothing leaves twice").hasSize(arrivals.size());
            assertThat(h.getSideOutput(FeatureAggregation.LATE)).as("nothing late within the bound").isNullOrEmpty();
            for (EventWithAggregates r : out) {
                assertThat(boxed(r.aggregates())).as(r.event().id()).isEqualTo(batch.get(r.event().id()));
            }
        }
    }

    private static List<Double> boxed(double[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }

    @Test
    void onArrivalAnEventSeesItsEntitysWaitingEarlierEventsAndNoLaterOne() throws Exception {
        try (var h = onArrival(SPEC)) {
            h.open();
            feed(h, event("a", "u", 10, 1.0));
            feed(h, event("b", "u", 20, 2.0));
            feed(h, event("c", "u", 15, 4.0)); // out of order: sees a, not b
            feed(h, event("d", "u", 15, 8.0)); // same time as c: does not see c
            List<EventWithAggregates> out = h.extractOutputValues();
            assertThat(out).extracting(r -> r.event().id()).containsExactly("a", "b", "c", "d");
            assertThat(out).extracting(r -> aggregate(r, AMOUNT_WINDOW, Aggregate.SUM)).containsExactly(0.0, 1.0, 1.0, 1.0);
            assertThat(out.get(2).aggregates()[FeatureSpec.SECONDS_SINCE_PREVIOUS]).isEqualTo(0.005);

            h.processWatermark(new Watermark(25));
            assertThat(h.extractOutputValues()).as("folding them in emits nothing more").hasSize(4);
            feed(h, event("e", "u", 30, 0.0));
            assertThat(aggregate(h.extractOutputValues().get(4), AMOUNT_WINDOW, Aggregate.SUM)).as("a + c + d + b").isEqualTo(15.0);
        }
    }

    @Test
    void onArrivalDropsTheSameDuplicatesAsTheBatchPass() throws Exception {
        List<String> batch;
        try (var h = harness(DEDUP_1S)) {
            h.open();
            WITH_DUPLICATES.forEach(e -> run(() -> feed(h, e)));
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            batch = h.extractOutputValues().stream().map(r -> r.event().entity() + "@" + r.event().timestamp() + boxed(r.aggregates())).sorted().toList();
        }
        try (var h = onArrival(DEDUP_1S)) {
            h.open();
            WITH_DUPLICATES.forEach(e -> run(() -> feed(h, e)));
            assertThat(h.getSideOutput(FeatureAggregation.LATE)).extracting(r -> r.getValue().reason())
                    .containsExactly("duplicate-event-id", "duplicate-event-id");
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(h.extractOutputValues().stream().map(r -> r.event().entity() + "@" + r.event().timestamp() + boxed(r.aggregates())).sorted()
                    .toList()).isEqualTo(batch);
            assertThat(h.getSideOutput(FeatureAggregation.LATE)).as("none dropped again when folded in").hasSize(2);
        }
    }

    @Test
    void onArrivalAnEntityIdleLongerThanTheTtlStartsAfresh() throws Exception {
        long hour = 3_600_000L;
        try (var h = onArrival(SPEC)) {
            h.open();
            feed(h, event("a", "u", 1_000, 1.0));
            feed(h, event("b", "u", 1_000 + hour + 1, 1.0));
            feed(h, event("c", "u", 1_000 + hour + 2, 1.0));
            List<EventWithAggregates> out = h.extractOutputValues();
            assertThat(out.get(1).aggregates()[FeatureSpec.SECONDS_SINCE_PREVIOUS]).as("state reset").isNaN();
            assertThat(aggregate(out.get(1), COUNT_WINDOW, Aggregate.COUNT)).isZero();
            assertThat(out.get(2).aggregates()[FeatureSpec.SECONDS_SINCE_PREVIOUS]).isEqualTo(0.001);
        }
    }

    @Test
    void onArrivalWaitingEventsSurviveSnapshotAndRestoreAndLeaveOnce() throws Exception {
        assertARestoreChangesNothing(() -> FeatureAggregation.onArrival(SPEC), 0);
    }

    @Test
    void onArrivalKeepsOneValuePerEntityAndNoTimers() throws Exception {
        try (var h = onArrival(DEDUP_1S)) {
            h.open();
            WITH_DUPLICATES.forEach(e -> run(() -> feed(h, e)));
            h.processWatermark(new Watermark(100));
            feed(h, event("z", "w", 700, 1.0));
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries()).as("aggregates, waiting events and ids of u, v and w: one value each").isEqualTo(3);
        }
    }

    /**
     * A snapshot in the layout that keeps waiting events, ids and timers beside the aggregates (the
     * backfill's, and serving's before) restores into serving: u's folded aggregates, its waiting b
     * and remembered id a, and v, which has nothing but a waiting event, all count. On RocksDB, where
     * only what is written back stays: u's first event after the restore changes nothing but the move.
     */
    @Test
    void onArrivalTakesOverStateKeptInSeparateValues() throws Exception {
        List<Event> before = List.of(event("a", "u", 10, 4.0), event("b", "u", 12, 6.0), event("x", "v", 12, 1.0));
        // u's first event after the restore is a repeat: it changes nothing, yet what moved into u's value must be kept.
        List<Event> after = List.of(event("a", "u", 16, 9.0), event("c", "u", 15, 5.0), event("y", "v", 20, 2.0), event("d", "u", 30, 1.0));
        java.util.Map<String, List<Double>> batch = new java.util.HashMap<>();
        try (var h = harness(DEDUP_1S)) {
            h.open();
            java.util.stream.Stream.concat(before.stream(), after.stream()).forEach(e -> run(() -> feed(h, e)));
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            h.extractOutputValues().forEach(r -> batch.put(r.event().id() + "@" + r.event().timestamp(), boxed(r.aggregates())));
        }
        OperatorSubtaskState snapshot;
        try (var h = onRocksDb(FeatureAggregation.inEventTimeOrder(DEDUP_1S))) {
            h.open();
            before.forEach(e -> run(() -> feed(h, e)));
            h.processWatermark(new Watermark(11));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = onRocksDb(FeatureAggregation.onArrival(DEDUP_1S))) {
            h.initializeState(snapshot);
            h.open();
            assertThat(h.getOperator().getKeyedStateBackend().getClass().getSimpleName()).startsWith("RocksDB");
            after.forEach(e -> run(() -> feed(h, e)));
            List<EventWithAggregates> out = h.extractOutputValues();
            assertThat(out).extracting(r -> r.event().id()).containsExactly("c", "y", "d");
            for (EventWithAggregates r : out) {
                assertThat(boxed(r.aggregates())).as(r.event().id()).isEqualTo(batch.get(r.event().id() + "@" + r.event().timestamp()));
            }
            assertThat(aggregate(out.get(1), AMOUNT_WINDOW, Aggregate.SUM)).as("y sees v's waiting x").isEqualTo(1.0);
            assertThat(h.getSideOutput(FeatureAggregation.LATE)).extracting(r -> r.getValue().reason()).containsExactly("duplicate-event-id");
            h.processWatermark(new Watermark(Long.MAX_VALUE)); // the restored timers fire and find their events moved
            assertThat(h.extractOutputValues()).as("nothing leaves twice").hasSize(3);
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static void run(ThrowingRunnable r) {
        try {
            r.run();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
