package io.loopline.state.records;

import io.loopline.state.serialization.ServedFeaturesSerializer;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

class ServedFeaturesSerializerTest extends SerializerTestBase<ServedFeatures> {
    @Override
    protected TypeSerializer<ServedFeatures> createSerializer() {
        return new ServedFeaturesSerializer();
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<ServedFeatures> getTypeClass() {
        return ServedFeatures.class;
    }

    @Override
    protected ServedFeatures[] getTestData() {
        return new ServedFeatures[] {
            new ServedFeatures(new FeatureVector("e1", "card-1", 1_700_000_000_000L, new double[] {0.5, -1, Double.NaN}, Double.NaN), "fraud", 3, 0.25,
                    1_700_000_000_123L),
            new ServedFeatures(new FeatureVector("e2", null, 0L, new double[0], 1.0), "ünïcødé ✓", Long.MAX_VALUE, Double.NaN, 0L),
        };
    }
}
