package io.loopline.state.records;

import io.loopline.state.serialization.EventSerializer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * The serializer snapshot class that savepoints written while the serializer was nested in
 * {@link Event} name. Restoring one resolves this class and continues with {@link EventSerializer},
 * whose format it has always been.
 */
public final class Event$Snapshot extends SimpleTypeSerializerSnapshot<Event> {
    public Event$Snapshot() {
        super(EventSerializer::new);
    }
}
