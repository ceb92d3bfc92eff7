package io.loopline.state.records;

import io.loopline.state.serialization.PredictionSerializer;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

class PredictionSerializerTest extends SerializerTestBase<Prediction> {
    @Override
    protected TypeSerializer<Prediction> createSerializer() {
        return new PredictionSerializer();
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<Prediction> getTypeClass() {
        return Prediction.class;
    }

    @Override
    protected Prediction[] getTestData() {
        return new Prediction[] {
            new Prediction("e1", "card-1", 1_700_000_000_000L, 0.125, "fraud", 2, Double.NaN, 1_700_000_000_050L),
            new Prediction("e2", null, Long.MIN_VALUE, Double.NaN, "ünïcødé ✓", Long.MAX_VALUE, 1.0, 0L),
        };
    }
}
