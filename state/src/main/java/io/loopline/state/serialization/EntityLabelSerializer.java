package io.loopline.state.serialization;

import io.loopline.state.records.EntityLabel;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Explicit serializer of {@link EntityLabel}; format 1. */
public final class EntityLabelSerializer extends ImmutableRecordSerializer<EntityLabel> {
    public static final TypeInformation<EntityLabel> TYPE_INFO = new RecordTypeInfo<>(EntityLabel.class, new EntityLabelSerializer());

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
        Nullables.writeString(l.entity(), out);
        out.writeDouble(l.value());
        out.writeLong(l.arrival());
    }

    @Override
    protected EntityLabel readRecord(int version, DataInputView in) throws IOException {
        return new EntityLabel(Nullables.readString(in), in.readDouble(), in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<EntityLabel> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from a savepoint (older savepoints name {@code EntityLabel$Snapshot}, which does the same). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<EntityLabel> {
        public Snapshot() {
            super(EntityLabelSerializer::new);
        }
    }
}
