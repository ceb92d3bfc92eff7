package io.loopline.state.records;

import io.loopline.state.serialization.RawEventSerializer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * The serializer snapshot class that savepoints written while the serializer was nested in
 * {@link RawEvent} name. Restoring one resolves this class and continues with {@link RawEventSerializer},
 * whose format it has always been.
 */
public final class RawEvent$Snapshot extends SimpleTypeSerializerSnapshot<RawEvent> {
    public RawEvent$Snapshot() {
        super(RawEventSerializer::new);
    }
}
