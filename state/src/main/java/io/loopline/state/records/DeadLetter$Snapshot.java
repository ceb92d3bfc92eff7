package io.loopline.state.records;

import io.loopline.state.serialization.DeadLetterSerializer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * The serializer snapshot class that savepoints written while the serializer was nested in
 * {@link DeadLetter} name. Restoring one resolves this class and continues with {@link DeadLetterSerializer},
 * whose format it has always been.
 */
public final class DeadLetter$Snapshot extends SimpleTypeSerializerSnapshot<DeadLetter> {
    public DeadLetter$Snapshot() {
        super(DeadLetterSerializer::new);
    }
}
