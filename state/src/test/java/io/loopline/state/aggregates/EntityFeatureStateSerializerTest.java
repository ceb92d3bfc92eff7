package io.loopline.state.aggregates;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.state.records.Event;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class EntityFeatureStateSerializerTest extends SerializerTestBase<EntityFeatureState> {
    @Override
    protected TypeSerializer<EntityFeatureState> createSerializer() {
        return new EntityFeatureState.Serializer();
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<EntityFeatureState> getTypeClass() {
        return EntityFeatureState.class;
    }

    @Override
    protected EntityFeatureState[] getTestData() {
        EntityFeatureState empty = new EntityFeatureState(2);
        EntityFeatureState folded = new EntityFeatureState(2);
        folded.series(0).add(7, 3.5, 10);
        folded.series(1).add(1, -2.0, 10);
        folded.setLastEventTime(1_700_000_000_000L);
        EntityFeatureState serving = folded.copy();
        serving.holdWaitingEvents();
        serving.waiting().add(new Event("e1", "card-1", 1_700_000_000_100L, new double[] {12.5}, new String[] {"DE"}, Double.NaN));
        serving.waiting().add(new Event("e2", "card-1", 1_700_000_000_050L, new double[] {Double.NaN}, new String[] {null}, 1.0));
        serving.setRecentIds(new long[] {1_700_000_000_000L, 42L});
        EntityFeatureState servingWithNothingWaiting = new EntityFeatureState(1);
        servingWithNothingWaiting.holdWaitingEvents();
        return new EntityFeatureState[] {empty, folded, serving, servingWithNothingWaiting};
    }

    /** The backfill's savepoints and older serving state hold format 1: it must keep reading, and a value not holding waiting events keeps writing it. */
    @Test
    void aValueWithoutWaitingEventsKeepsFormatOne() throws Exception {
        EntityFeatureState folded = getTestData()[1];
        var out = new DataOutputSerializer(64);
        createSerializer().serialize(folded, out);
        byte[] bytes = out.getCopyOfBuffer();
        assertThat(bytes[0]).isEqualTo((byte) 1);
        EntityFeatureState read = createSerializer().deserialize(new DataInputDeserializer(bytes));
        assertThat(read.holdsWaitingEvents()).isFalse();
        assertThat(read).isEqualTo(folded);
    }
}
