package io.loopline.state.records;

import io.loopline.state.serialization.FeatureVectorSerializer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * The serializer snapshot class that savepoints written while the serializer was nested in
 * {@link FeatureVector} name. Restoring one resolves this class and continues with {@link FeatureVectorSerializer},
 * whose format it has always been.
 */
public final class FeatureVector$Snapshot extends SimpleTypeSerializerSnapshot<FeatureVector> {
    public FeatureVector$Snapshot() {
        super(FeatureVectorSerializer::new);
    }
}
