package io.loopline.state.records;

import io.loopline.state.serialization.LabelSerializer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * The serializer snapshot class that savepoints written while the serializer was nested in
 * {@link Label} name. Restoring one resolves this class and continues with {@link LabelSerializer},
 * whose format it has always been.
 */
public final class Label$Snapshot extends SimpleTypeSerializerSnapshot<Label> {
    public Label$Snapshot() {
        super(LabelSerializer::new);
    }
}
