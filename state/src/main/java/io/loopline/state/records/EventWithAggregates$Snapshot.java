package io.loopline.state.records;

import io.loopline.state.serialization.EventWithAggregatesSerializer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * The serializer snapshot class that savepoints written while the serializer was nested in
 * {@link EventWithAggregates} name. Restoring one resolves this class and continues with {@link EventWithAggregatesSerializer},
 * whose format it has always been.
 */
public final class EventWithAggregates$Snapshot extends SimpleTypeSerializerSnapshot<EventWithAggregates> {
    public EventWithAggregates$Snapshot() {
        super(EventWithAggregatesSerializer::new);
    }
}
