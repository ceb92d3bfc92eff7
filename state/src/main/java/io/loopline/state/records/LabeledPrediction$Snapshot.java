package io.loopline.state.records;

import io.loopline.state.serialization.LabeledPredictionSerializer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * The serializer snapshot class that savepoints written while the serializer was nested in
 * {@link LabeledPrediction} name. Restoring one resolves this class and continues with {@link LabeledPredictionSerializer},
 * whose format it has always been.
 */
public final class LabeledPrediction$Snapshot extends SimpleTypeSerializerSnapshot<LabeledPrediction> {
    public LabeledPrediction$Snapshot() {
        super(LabeledPredictionSerializer::new);
    }
}
