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

/** One entity's known labels at the end of a backfill, on their way into a savepoint. */
public record EntityLabelsSnapshot(String entity, KnownLabels labels) {

    public static final TypeInformation<EntityLabelsSnapshot> TYPE_INFO = new RecordTypeInfo<>(EntityLabelsSnapshot.class, new Serializer());

    /** Explicit serializer; format 1: entity, then the labels in their own format. */
    public static final class Serializer extends ImmutableRecordSerializer<EntityLabelsSnapshot> {
        private static final long serialVersionUID = 1L;
        private static final KnownLabels.Serializer LABELS = new KnownLabels.Serializer();

        @Override
        public EntityLabelsSnapshot createInstance() {
            return new EntityLabelsSnapshot("", KnownLabels.EMPTY);
        }

        @Override
        protected int currentFormatVersion() {
            return 1;
        }

        @Override
        protected void writeRecord(EntityLabelsSnapshot s, DataOutputView out) throws IOException {
            Nullables.writeString(s.entity, out);
            LABELS.serialize(s.labels, out);
        }

        @Override
        protected EntityLabelsSnapshot readRecord(int version, DataInputView in) throws IOException {
            return new EntityLabelsSnapshot(Nullables.readString(in), LABELS.deserialize(in));
        }

        @Override
        public TypeSerializerSnapshot<EntityLabelsSnapshot> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<EntityLabelsSnapshot> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
