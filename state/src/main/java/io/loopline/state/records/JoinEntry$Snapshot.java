package io.loopline.state.records;

import io.loopline.state.serialization.JoinEntrySerializer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * The serializer snapshot class that savepoints written while the serializer was nested in
 * {@link JoinEntry} name. Restoring one resolves this class and continues with {@link JoinEntrySerializer},
 * whose format it has always been.
 */
public final class JoinEntry$Snapshot extends SimpleTypeSerializerSnapshot<JoinEntry> {
    public JoinEntry$Snapshot() {
        super(JoinEntrySerializer::new);
    }
}
