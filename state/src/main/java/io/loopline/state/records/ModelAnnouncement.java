package io.loopline.state.records;

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
 * A record of the {@code models} topic: a new version of a model is available in the model store.
 * It carries the version and the artifact's checksum, never the weights; the scoring operator reads
 * the full metadata and the artifact from the store and verifies them.
 */
public record ModelAnnouncement(String name, long version, String sha256) {

    public static final TypeInformation<ModelAnnouncement> TYPE_INFO = new RecordTypeInfo<>(ModelAnnouncement.class, new Serializer());

    /** Explicit serializer; format 1. */
    public static final class Serializer extends ImmutableRecordSerializer<ModelAnnouncement> {
        private static final long serialVersionUID = 1L;

        @Override
        public ModelAnnouncement createInstance() {
            return new ModelAnnouncement("", 0L, "");
        }

        @Override
        protected int currentFormatVersion() {
            return 1;
        }

        @Override
        protected void writeRecord(ModelAnnouncement a, DataOutputView out) throws IOException {
            Nullables.writeString(a.name, out);
            out.writeLong(a.version);
            Nullables.writeString(a.sha256, out);
        }

        @Override
        protected ModelAnnouncement readRecord(int version, DataInputView in) throws IOException {
            return new ModelAnnouncement(Nullables.readString(in), in.readLong(), Nullables.readString(in));
        }

        @Override
        public TypeSerializerSnapshot<ModelAnnouncement> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ModelAnnouncement> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
