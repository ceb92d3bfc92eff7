package io.loopline.operators.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.profile.FeatureFit;
import io.loopline.state.records.Event;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.ModelAnnouncement;
import io.loopline.state.serialization.EventWithAggregatesSerializer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;

/**
 * Features ahead of chained scoring: the same vectors as serving's aggregation followed by the
 * transform, the announcements in between in the order they came, through a snapshot and restore.
 */
class ArrivalFeatureVectorsTest {
    private static final FeatureSpec SPEC = TestSpecs.payments(); // 10 ms out-of-orderness
    private static final ModelAnnouncement V1 = new ModelAnnouncement("fraud", 1, "aa");
    private static final ModelAnnouncement V2 = new ModelAnnouncement("fraud", 2, "bb");

    /** What arrives, in order: events (some behind a later one of their entity, within the bound), watermarks, announcements. */
    private static final List<Object> ARRIVALS = List.of(
            V1,
            event("a", "u", 100, 4.0), event("b", "v", 101, 7.0), event("c", "u", 108, 6.0),
            event("d", "u", 104, 5.0), // behind c, within the bound: still its point-in-time features
            new Watermark(98),
            event("e", "v", 130, 2.0), new Watermark(120),
            V2,
            event("f", "u", 140, 3.0), event("g", "u", 140, 1.0), new Watermark(135),
            event("h", "v", 160, 8.0));

    private static Event event(String id, String entity, long time, double amount) {
        return new Event(id, entity, time, new double[] {amount, 1}, new String[] {"DE", null}, Double.NaN);
    }

    private static FeatureFit fit() {
        var numeric = new java.util.HashMap<String, FeatureFit.NumericFit>();
        for (String name : SPEC.columnNames()) {
            numeric.put(name, new FeatureFit.NumericFit(0, 0, 1, 1));
        }
        numeric.put("amount", new FeatureFit.NumericFit(50, 2.0, 0.5, 10));
        return new FeatureFit(numeric, Map.of("country", List.of("DE", "FR")));
    }

    private static KeyedBroadcastOperatorTestHarness<String, Event, ModelAnnouncement, Either<FeatureVector, ModelAnnouncement>> harness()
            throws Exception {
        var h = new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(new ArrivalFeatureVectors(SPEC, new FeatureTransformer(SPEC, fit())), List.of()),
                Event::entity, Types.STRING, 128, 1, 0);
        h.setup(ArrivalFeatureVectors.OUTPUT_TYPE.createSerializer(new SerializerConfigImpl()));
        return h;
    }

    /** The announcements input as serving runs it: idle, so the events' watermark is the operator's. */
    private static void announcementsIdle(KeyedBroadcastOperatorTestHarness<String, Event, ModelAnnouncement, ?> h) throws Exception {
        h.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
    }

    private static void send(KeyedBroadcastOperatorTestHarness<String, Event, ModelAnnouncement, ?> h, Object arrival) throws Exception {
        if (arrival instanceof Event e) {
            h.processElement(new StreamRecord<>(e, e.timestamp()));
        } else if (arrival instanceof ModelAnnouncement a) {
            h.processBroadcastElement(new StreamRecord<>(a, 0));
        } else {
            h.processWatermark((Watermark) arrival);
        }
    }

    /** What leaves, written comparably: "vector <id> <values>" or "announcement v<version>". */
    private static List<String> described(List<Either<FeatureVector, ModelAnnouncement>> out) {
        return out.stream().map(o -> o.isLeft()
                ? "vector " + o.left().eventId() + " " + Arrays.toString(o.left().values())
                : "announcement v" + o.right().version()).toList();
    }

    /** The reference: serving's aggregation on its own, then the transform; announcements where they came. */
    private static List<String> aggregatedThenTransformed(List<Object> arrivals) throws Exception {
        var transformer = new FeatureTransformer(SPEC, fit());
        List<String> expected = new ArrayList<>();
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(FeatureAggregation.onArrival(SPEC)),
                Event::entity, Types.STRING)) {
            h.setup(EventWithAggregatesSerializer.TYPE_INFO.createSerializer(new SerializerConfigImpl()));
            h.open();
            int seen = 0;
            for (Object arrival : arrivals) {
                if (arrival instanceof Event e) {
                    h.processElement(new StreamRecord<>(e, e.timestamp()));
                } else if (arrival instanceof Watermark w) {
                    h.processWatermark(w);
                } else {
                    expected.add("announcement v" + ((ModelAnnouncement) arrival).version());
                }
                var rows = h.extractOutputValues();
                for (var row : rows.subList(seen, rows.size())) {
                    FeatureVector v = transformer.transform(row);
                    expected.add("vector " + v.eventId() + " " + Arrays.toString(v.values()));
                }
                seen = rows.size();
            }
        }
        return expected;
    }

    @Test
    void eachEventLeavesAtOnceAsItsVectorWithTheAnnouncementsInTheOrderTheyCame() throws Exception {
        List<String> expected = aggregatedThenTransformed(ARRIVALS);
        assertThat(expected).as("the reference run featurized every event").filteredOn(s -> s.startsWith("vector")).hasSize(8);
        try (var h = harness()) {
            h.open();
            announcementsIdle(h);
            int events = 0;
            for (Object arrival : ARRIVALS) {
                send(h, arrival);
                if (arrival instanceof Event) {
                    events++;
                    assertThat(h.extractOutputValues()).as("every event has left on arrival")
                            .filteredOn(Either::isLeft).hasSize(events);
                }
            }
            assertThat(described(h.extractOutputValues())).isEqualTo(expected);
            assertThat(h.getSideOutput(FeatureAggregation.LATE)).as("nothing late within the bound").isNullOrEmpty();
        }
    }

    @Test
    void theEventsWatermarkDecidesLatenessWhileTheAnnouncementsAreIdle() throws Exception {
        try (var h = harness()) {
            h.open();
            announcementsIdle(h);
            send(h, event("a", "u", 100, 4.0));
            send(h, event("b", "u", 200, 4.0));
            send(h, new Watermark(250)); // u's next event folds a and b
            send(h, event("c", "u", 260, 1.0));
            send(h, event("x", "u", 150, 1.0)); // behind the watermark and behind u's newest aggregated event
            assertThat(h.getSideOutput(FeatureAggregation.LATE)).as("x is late").hasSize(1);
            assertThat(h.getSideOutput(FeatureAggregation.LATE).peek().getValue().reason()).isEqualTo(FeatureAggregation.LATE_REASON);
            assertThat(h.extractOutputValues()).filteredOn(Either::isLeft).hasSize(3);
        }
    }

    @Test
    void aSnapshotAndRestoreInTheMiddleChangesNoVector() throws Exception {
        List<Either<FeatureVector, ModelAnnouncement>> uninterrupted;
        try (var h = harness()) {
            h.open();
            announcementsIdle(h);
            for (Object arrival : ARRIVALS) {
                send(h, arrival);
            }
            uninterrupted = h.extractOutputValues();
        }
        int cut = ARRIVALS.indexOf(V2); // c waits within the bound; d and e have left, b is folded
        List<Either<FeatureVector, ModelAnnouncement>> restoredRun = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            announcementsIdle(h);
            for (Object arrival : ARRIVALS.subList(0, cut)) {
                send(h, arrival);
            }
            restoredRun.addAll(h.extractOutputValues());
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            announcementsIdle(h);
            h.processWatermark(new Watermark(120)); // a restored operator starts without a watermark; the source sends its own again
            for (Object arrival : ARRIVALS.subList(cut, ARRIVALS.size())) {
                send(h, arrival);
            }
            restoredRun.addAll(h.extractOutputValues());
        }
        assertThat(described(restoredRun)).isEqualTo(described(uninterrupted));
    }
}
