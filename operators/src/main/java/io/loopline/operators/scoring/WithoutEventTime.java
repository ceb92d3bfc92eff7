package io.loopline.operators.scoring;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The watermark strategy of an input that has no event time, such as model announcements: the input
 * declares itself idle, so an operator that reads it beside events keeps the events' watermark.
 * ({@link WatermarkStrategy#noWatermarks()} would hold that operator's watermark at its minimum
 * forever; a maximal watermark would take the events' place whenever they are idle themselves.)
 */
public final class WithoutEventTime {
    private WithoutEventTime() {}

    public static <T> WatermarkStrategy<T> strategy() {
        return WatermarkStrategy.forGenerator(context -> new AlwaysIdle<>());
    }

    private static final class AlwaysIdle<T> implements WatermarkGenerator<T> {
        @Override
        public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {}

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            output.markIdle();
        }
    }
}
