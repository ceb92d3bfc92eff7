package io.loopline.state.records;

import io.loopline.state.serialization.ImmutableRecordSerializer;
import io.loopline.state.serialization.RecordTypeInfo;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * One event as seen by its entity's keyed state: which of the entity's events it is, and how long
 * since the previous one.
 *
 * @param eventId the event's id
 * @param entity the entity key
 * @param eventTime the event's time, epoch millis
 * @param sequence 1 for the entity's first event, then 2, 3, ... (in processing order)
 * @param millisSincePrevious event-time gap to the entity's previous event, or -1 for the first
 */
public record EntityActivity(
        String eventId, String entity, long eventTime, long sequence, long millisSincePrevious) {

    public static final TypeInformation<EntityActivity> TYPE_INFO =
            new RecordTypeInfo<>(EntityActivity.class, new Serializer());

    /** Explicit serializer; format 1. */
    public static final class Serializer extends ImmutableRecordSerializer<EntityActivity> {
        private static final long serialVersionUID = 1L;

        @Override
        public EntityActivity createInstance() {
            return new EntityActivity("", "", 0L, 0L, -1L);
        }

        @Override
        protected int currentFormatVersion() {
            return 1;
        }

        @Override
        protected void writeRecord(EntityActivity a, DataOutputView out) throws IOException {
            out.writeUTF(a.eventId);
            out.writeUTF(a.entity);
            out.writeLong(a.eventTime);
            out.writeLong(a.sequence);
            out.writeLong(a.millisSincePrevious);
        }

        @Override
        protected EntityActivity readRecord(int version, DataInputView in) throws IOException {
            return new EntityActivity(in.readUTF(), in.readUTF(), in.readLong(), in.readLong(), in.readLong());
        }

        @Override
        public TypeSerializerSnapshot<EntityActivity> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<EntityActivity> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
