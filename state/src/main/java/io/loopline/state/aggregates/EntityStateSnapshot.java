package io.loopline.state.aggregates;

import io.loopline.state.serialization.ImmutableRecordSerializer;
import io.loopline.state.serialization.Nullables;
import io.loopline.state.serialization.RecordTypeInfo;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * One entity's final feature state at the end of a backfill, on its way into a savepoint. Never
 * mutated after it is made (it holds its own copy of the state).
 */
public record EntityStateSnapshot(String entity, EntityFeatureState state) {

    public static final TypeInformation<EntityStateSnapshot> TYPE_INFO =
            new RecordTypeInfo<>(EntityStateSnapshot.class, new Serializer());

    /** Explicit serializer; format 1: entity, then the state in its own format. */
    public static final class Serializer extends ImmutableRecordSerializer<EntityStateSnapshot> {
        private static final long serialVersionUID = 1L;
        private static final EntityFeatureState.Serializer STATES = new EntityFeatureState.Serializer();

        @Override
        public EntityStateSnapshot createInstance() {
            return new EntityStateSnapshot("", new EntityFeatureState(0));
        }

        @Override
        protected int currentFormatVersion() {
            return 1;
        }

        @Override
        protected void writeRecord(EntityStateSnapshot s, DataOutputView out) throws IOException {
            Nullables.writeString(s.entity, out);
            STATES.serialize(s.state, out);
        }

        @Override
        protected EntityStateSnapshot readRecord(int version, DataInputView in) throws IOException {
            return new EntityStateSnapshot(Nullables.readString(in), STATES.deserialize(in));
        }

        @Override
        public TypeSerializerSnapshot<EntityStateSnapshot> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<EntityStateSnapshot> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
