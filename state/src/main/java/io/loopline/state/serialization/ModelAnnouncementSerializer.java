package io.loopline.state.serialization;

import io.loopline.state.records.ModelAnnouncement;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Explicit serializer of {@link ModelAnnouncement}; format 2 (format 1 had no role: a champion). */
public final class ModelAnnouncementSerializer extends ImmutableRecordSerializer<ModelAnnouncement> {
    public static final TypeInformation<ModelAnnouncement> TYPE_INFO = new RecordTypeInfo<>(ModelAnnouncement.class, new ModelAnnouncementSerializer());

    private static final long serialVersionUID = 1L;

    @Override
    public ModelAnnouncement createInstance() {
        return new ModelAnnouncement("", 0L, "");
    }

    @Override
    protected int currentFormatVersion() {
        return 2;
    }

    @Override
    protected void writeRecord(ModelAnnouncement a, DataOutputView out) throws IOException {
        Nullables.writeString(a.name(), out);
        out.writeLong(a.version());
        Nullables.writeString(a.sha256(), out);
        out.writeByte(a.role().ordinal());
        out.writeDouble(a.canaryShare());
    }

    @Override
    protected ModelAnnouncement readRecord(int version, DataInputView in) throws IOException {
        String name = Nullables.readString(in);
        long modelVersion = in.readLong();
        String sha = Nullables.readString(in);
        if (version < 2) {
            return new ModelAnnouncement(name, modelVersion, sha);
        }
        ModelAnnouncement.Role role = ModelAnnouncement.Role.values()[in.readUnsignedByte()];
        return new ModelAnnouncement(name, modelVersion, sha, role, in.readDouble());
    }

    @Override
    public TypeSerializerSnapshot<ModelAnnouncement> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from a savepoint (older savepoints name {@code ModelAnnouncement$Snapshot}, which does the same). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ModelAnnouncement> {
        public Snapshot() {
            super(ModelAnnouncementSerializer::new);
        }
    }
}
