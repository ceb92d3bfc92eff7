package io.loopline.state.serialization;

import io.loopline.state.records.ChallengerRun;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Explicit serializer of {@link ChallengerRun}; format 1. */
public final class ChallengerRunSerializer extends ImmutableRecordSerializer<ChallengerRun> {
    public static final TypeInformation<ChallengerRun> TYPE_INFO = new RecordTypeInfo<>(ChallengerRun.class, new ChallengerRunSerializer());

    private static final long serialVersionUID = 1L;

    @Override
    public ChallengerRun createInstance() {
        return new ChallengerRun(0, "", "", "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    @Override
    protected int currentFormatVersion() {
        return 1;
    }

    @Override
    protected void writeRecord(ChallengerRun r, DataOutputView out) throws IOException {
        out.writeLong(r.id());
        Nullables.writeString(r.cause(), out);
        Nullables.writeString(r.detail(), out);
        Nullables.writeString(r.mode(), out);
        out.writeLong(r.parentVersion());
        out.writeLong(r.triggeredAt());
        out.writeInt(r.trainRows());
        out.writeInt(r.holdoutRows());
        out.writeLong(r.trainFrom());
        out.writeLong(r.trainTo());
        out.writeLong(r.holdoutFrom());
        out.writeLong(r.holdoutTo());
        out.writeInt(r.epochs());
        out.writeInt(r.epoch());
        out.writeInt(r.batch());
        out.writeLong(r.rowsProcessed());
    }

    @Override
    protected ChallengerRun readRecord(int version, DataInputView in) throws IOException {
        return new ChallengerRun(in.readLong(), Nullables.readString(in), Nullables.readString(in), Nullables.readString(in), in.readLong(),
                in.readLong(), in.readInt(), in.readInt(), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readInt(), in.readInt(),
                in.readInt(), in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<ChallengerRun> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from a savepoint (older savepoints name {@code ChallengerRun$Snapshot}, which does the same). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ChallengerRun> {
        public Snapshot() {
            super(ChallengerRunSerializer::new);
        }
    }
}
