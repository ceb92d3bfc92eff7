package io.loopline.state.records;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

class EntityActivitySerializerTest extends SerializerTestBase<EntityActivity> {
    @Override
    protected TypeSerializer<EntityActivity> createSerializer() {
        return new EntityActivity.Serializer();
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<EntityActivity> getTypeClass() {
        return EntityActivity.class;
    }

    @Override
    protected EntityActivity[] getTestData() {
        return new EntityActivity[] {
            new EntityActivity("e1", "card-1", 10L, 1L, -1L),
            new EntityActivity("e2", "card-1", 25L, 2L, 15L),
        };
    }
}
