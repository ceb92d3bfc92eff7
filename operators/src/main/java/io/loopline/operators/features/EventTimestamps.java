package io.loopline.operators.features;

import io.loopline.state.records.Event;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;

/** An event's time is its declared time field. */
public final class EventTimestamps implements SerializableTimestampAssigner<Event> {
    private static final long serialVersionUID = 1L;

    @Override
    public long extractTimestamp(Event event, long recordTimestamp) {
        return event.timestamp();
    }
}
