package io.loopline.state.records;

import io.loopline.state.serialization.ServedFeaturesSerializer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * The serializer snapshot class that savepoints written while the serializer was nested in
 * {@link ServedFeatures} name. Restoring one resolves this class and continues with {@link ServedFeaturesSerializer},
 * whose format it has always been.
 */
public final class ServedFeatures$Snapshot extends SimpleTypeSerializerSnapshot<ServedFeatures> {
    public ServedFeatures$Snapshot() {
        super(ServedFeaturesSerializer::new);
    }
}
