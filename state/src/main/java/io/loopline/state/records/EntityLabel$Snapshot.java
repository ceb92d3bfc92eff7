package io.loopline.state.records;

import io.loopline.state.serialization.EntityLabelSerializer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * The serializer snapshot class that savepoints written while the serializer was nested in
 * {@link EntityLabel} name. Restoring one resolves this class and continues with {@link EntityLabelSerializer},
 * whose format it has always been.
 */
public final class EntityLabel$Snapshot extends SimpleTypeSerializerSnapshot<EntityLabel> {
    public EntityLabel$Snapshot() {
        super(EntityLabelSerializer::new);
    }
}
