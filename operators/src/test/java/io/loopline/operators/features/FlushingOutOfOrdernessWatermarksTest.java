package io.loopline.operators.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

class FlushingOutOfOrdernessWatermarksTest {
    /** What the generator emitted, in order: watermarks, and whether it marked its input idle. */
    private static final class TestingOutput implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        int markedIdle;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            markedIdle++;
        }

        @Override
        public void markActive() {}

        long last() {
            return watermarks.get(watermarks.size() - 1);
        }
    }

    @Test
    void holdsTheBoundWhileEventsFlowAndFlushesAfterAPauseOfTheInput() {
        ManualClock activity = new ManualClock();
        var generator = new FlushingOutOfOrdernessWatermarks<String>(5_000, 5_000, activity);
        TestingOutput output = new TestingOutput();
        generator.onEvent("a", 100_000, output);
        generator.onEvent("b", 103_000, output);
        generator.onPeriodicEmit(output);
        assertThat(output.last()).isEqualTo(103_000 - 5_000 - 1);

        activity.advanceTime(Duration.ofMillis(4_999));
        generator.onPeriodicEmit(output);
        assertThat(output.last()).as("not yet idle").isEqualTo(97_999);
        assertThat(output.markedIdle).isZero();

        activity.advanceTime(Duration.ofMillis(1));
        generator.onPeriodicEmit(output);
        assertThat(output.last()).as("flushed to the largest timestamp").isEqualTo(103_000);
        assertThat(output.markedIdle).isOne();
    }

    @Test
    void aBackPressuredInputIsNotIdle() {
        // The input's activity clock stands still while the source waits for its downstream: however
        // long that lasts in wall-clock time, the events it holds must not become late.
        ManualClock activity = new ManualClock();
        var generator = new FlushingOutOfOrdernessWatermarks<String>(5_000, 5_000, activity);
        TestingOutput output = new TestingOutput();
        generator.onEvent("a", 100_000, output);
        for (int periodicEmits = 0; periodicEmits < 1_000; periodicEmits++) {
            generator.onPeriodicEmit(output);
        }
        assertThat(output.watermarks).containsExactly(94_999L);
        assertThat(output.markedIdle).isZero();

        generator.onEvent("late but within the bound", 96_000, output);
        generator.onPeriodicEmit(output);
        assertThat(output.last()).isLessThan(96_000);
    }

    @Test
    void zeroNeverFlushes() {
        ManualClock activity = new ManualClock();
        var generator = new FlushingOutOfOrdernessWatermarks<String>(5_000, 0, activity);
        TestingOutput output = new TestingOutput();
        generator.onEvent("a", 100_000, output);
        activity.advanceTime(Duration.ofHours(1));
        generator.onPeriodicEmit(output);
        assertThat(output.watermarks).containsExactly(94_999L);
        assertThat(output.markedIdle).isZero();
    }
}
