package io.loopline.operators.activity;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.state.records.EntityActivity;
import io.loopline.state.records.Event;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class EntityActivityTrackerTest {
    private static final Duration RETENTION = Duration.ofHours(1);

    private static Event event(String id, String entity, long time) {
        return new Event(id, entity, time, new double[0], new String[0], Double.NaN);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Event, EntityActivity> harness() throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new EntityActivityTracker(RETENTION)), Event::entity, Types.STRING);
        harness.setup(EntityActivity.TYPE_INFO.createSerializer(new org.apache.flink.api.common.serialization.SerializerConfigImpl()));
        return harness;
    }

    @Test
    void numbersEachEntitysEventsAndMeasuresTheGap() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(event("a1", "a", 100), 0);
            h.processElement(event("b1", "b", 150), 0);
            h.processElement(event("a2", "a", 160), 0);

            assertThat(h.extractOutputValues()).containsExactly(
                    new EntityActivity("a1", "a", 100, 1, -1),
                    new EntityActivity("b1", "b", 150, 1, -1),
                    new EntityActivity("a2", "a", 160, 2, 60));
            assertThat(h.numKeyedStateEntries()).isEqualTo(4); // two values per entity
        }
    }

    @Test
    void stateSurvivesSnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement(event("a1", "a", 100), 0);
            h.processElement(event("a2", "a", 130), 0);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(event("a3", "a", 200), 0);

            assertThat(restored.extractOutputValues()).containsExactly(new EntityActivity("a3", "a", 200, 3, 70));
        }
    }

    @Test
    void idleEntitiesAreForgottenAfterTheRetention() throws Exception {
        try (var h = harness()) {
            h.open();
            h.setStateTtlProcessingTime(0);
            h.processElement(event("a1", "a", 100), 0);

            h.setStateTtlProcessingTime(RETENTION.toMillis() + 1);
            h.processElement(event("a2", "a", 200), 0);

            assertThat(h.extractOutputValues()).extracting(EntityActivity::sequence).containsExactly(1L, 1L);
        }
    }

    @Test
    void aLateEventDoesNotMoveTheEntitysClockBack() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(event("a1", "a", 100), 0);
            h.processElement(event("a0", "a", 50), 0);
            h.processElement(event("a2", "a", 120), 0);

            assertThat(h.extractOutputValues()).extracting(EntityActivity::millisSincePrevious).containsExactly(-1L, 0L, 20L);
        }
    }
}
