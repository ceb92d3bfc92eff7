package io.loopline.state.records;

import io.loopline.state.serialization.ImmutableRecordSerializer;
import io.loopline.state.serialization.Nullables;
import io.loopline.state.serialization.RecordTypeInfo;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A label on its way into its entity's label history: the entity, the label, and when it arrived
 * (event time: the labels topic's {@code timestamp}; in a backfill, the event's time plus the spec's arrival delay).
 */
public record EntityLabel(String entity, double value, long arrival) {

    public static final TypeInformation<EntityLabel> TYPE_INFO = new RecordTypeInfo<>(EntityLabel.class, new Serializer());

    public EntityLabel {
        Objects.requireNonNull(entity, "entity");
    }

    /** Explicit serializer; format 1. */
    public static final class Serializer extends ImmutableRecordSerializer<EntityLabel> {
        private static final long serialVersionUID = 1L;

        @Override
        public EntityLabel createInstance() {
            return new EntityLabel("", Double.NaN, 0L);
        }

        @Override
        protected int currentFormatVersion() {
            return 1;
        }

        @Override
        protected void writeRecord(EntityLabel l, DataOutputView out) throws IOException {
            Nullables.writeString(l.entity, out);
            out.writeDouble(l.value);
            out.writeLong(l.arrival);
        }

        @Override
        protected EntityLabel readRecord(int version, DataInputView in) throws IOException {
            return new EntityLabel(Nullables.readString(in), in.readDouble(), in.readLong());
        }

        @Override
        public TypeSerializerSnapshot<EntityLabel> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<EntityLabel> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
