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
    /** Serving state written by the build before the compact form (format 2) is read as it was written. */
    @Test
    void readsServingStateOfFormatTwo() throws Exception {
        EntityFeatureState serving = getTestData()[2];
        var out = new DataOutputSerializer(256);
        out.writeByte(2);
        out.writeLong(serving.lastEventTime());
        out.writeShort(serving.windows());
        for (int w = 0; w < serving.windows(); w++) {
            serving.series(w).write(out);
        }
        out.writeInt(serving.waiting().size());
        for (Event event : serving.waiting()) {
            new io.loopline.state.serialization.EventSerializer().serialize(event, out);
        }
        out.writeInt(serving.recentIds().length);
        for (long id : serving.recentIds()) {
            out.writeLong(id);
        }
        EntityFeatureState read = createSerializer().deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(read).isEqualTo(serving);
        assertThat(read.holdsWaitingEvents()).isTrue();
    }

    /** The compact form gives back every statistic to the bit, for values that look alike but are not. */
    @Test
    void theCompactFormReadsBackToTheSameBits() throws Exception {
        double[] values = {0.0, -0.0, 1.0, -2.5, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 1e-300, 3.3333333333333335,
                Double.MIN_NORMAL, 42.42};
        EntityFeatureState state = new EntityFeatureState(3);
        state.holdWaitingEvents();
        long bucket = -5; // before 1970, and far apart below
        for (double value : values) {
            state.series(0).add(bucket, value, 1_000_000);
            bucket += 3;
        }
        for (int i = 0; i < values.length; i++) {
            state.series(1).add(1_000_000_000L + i / 3, values[i], 1_000_000); // three values a bucket: all five statistics differ
        }
        state.series(2).add(Long.MAX_VALUE / 4, 7.0, 10);
        state.series(2).add(Long.MAX_VALUE / 4 + 1, -0.0, 10);
        state.series(2).add(Long.MAX_VALUE / 4 + 2, 0.0, 10); // sum, mean and max +0.0, M2 0, but min -0.0: not one value
        state.series(2).add(Long.MAX_VALUE / 4 + 2, -0.0, 10);
        state.setLastEventTime(1_700_000_000_000L);

        var out = new DataOutputSerializer(256);
        createSerializer().serialize(state, out);
        byte[] bytes = out.getCopyOfBuffer();
        assertThat(bytes[0]).isEqualTo((byte) 3);
        EntityFeatureState read = createSerializer().deserialize(new DataInputDeserializer(bytes));
        assertThat(read).isEqualTo(state); // Arrays.equals on doubles: -0.0 differs from 0.0
        // Statistics compare as Java compares doubles: a NaN from overflowing values may come out with either sign bit.
        var stats = new WindowStats();
        var expected = new WindowStats();
        for (int w = 0; w < 3; w++) {
            for (long at : new long[] {-5, 10, 1_000_000_003L, Long.MAX_VALUE / 4 + 1}) {
                read.series(w).query(at, 1_000_000, stats);
                state.series(w).query(at, 1_000_000, expected);
                assertThat(Double.doubleToLongBits(stats.sum())).isEqualTo(Double.doubleToLongBits(expected.sum()));
                assertThat(Double.doubleToLongBits(stats.min())).isEqualTo(Double.doubleToLongBits(expected.min()));
                assertThat(Double.doubleToLongBits(stats.max())).isEqualTo(Double.doubleToLongBits(expected.max()));
                assertThat(Double.doubleToLongBits(stats.stddev())).isEqualTo(Double.doubleToLongBits(expected.stddev()));
            }
        }
    }

    /** What serving writes on every event: an entity with a day of one-value buckets takes a third of the bytes it used to. */
    @Test
    void servingStateIsCompact() throws Exception {
        EntityFeatureState state = new EntityFeatureState(3);
        state.holdWaitingEvents();
        for (int hour = 0; hour < 24; hour++) {
            state.series(2).add(470_000 + hour, 10.0 + hour, 24);
        }
        for (int fiveMinutes = 0; fiveMinutes < 12; fiveMinutes++) {
            state.series(1).add(5_640_000 + fiveMinutes, 20.0 + fiveMinutes, 12);
        }
        state.series(0).add(28_200_000, 5.0, 10);
        var compact = new DataOutputSerializer(256);
        createSerializer().serialize(state, compact);
        var formatTwo = new DataOutputSerializer(256);
        for (int w = 0; w < 3; w++) {
            state.series(w).write(formatTwo);
        }
        assertThat(compact.length()).isLessThan(formatTwo.length() / 3);
    }
}
