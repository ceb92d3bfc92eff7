package io.loopline.state.records;

import io.loopline.state.serialization.PredictionSerializer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * The serializer snapshot class that savepoints written while the serializer was nested in
 * {@link Prediction} name. Restoring one resolves this class and continues with {@link PredictionSerializer},
 * whose format it has always been.
 */
public final class Prediction$Snapshot extends SimpleTypeSerializerSnapshot<Prediction> {
    public Prediction$Snapshot() {
        super(PredictionSerializer::new);
    }
}
