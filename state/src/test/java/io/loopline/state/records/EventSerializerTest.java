package io.loopline.state.records;

import io.loopline.state.serialization.EventSerializer;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

class EventSerializerTest extends SerializerTestBase<Event> {
    @Override
    protected TypeSerializer<Event> createSerializer() {
        return new EventSerializer();
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<Event> getTypeClass() {
        return Event.class;
    }

    @Override
    protected Event[] getTestData() {
        return new Event[] {
            new Event("e1", "card-1", 1_700_000_000_000L, new double[] {12.5, 300}, new String[] {"grocery", "DE", "mobile"}, Double.NaN),
            new Event("e2", "card-2", 0L, new double[] {Double.NaN, -1e300}, new String[] {null, "ünïcødé ✓", ""}, 1.0),
            new Event("e3", "x", Long.MIN_VALUE, new double[0], new String[0], 0.0),
        };
    }
}
