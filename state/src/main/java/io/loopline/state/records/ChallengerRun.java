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
 * A challenger being trained, as checkpointed by the continual trainer: why it started, what it
 * starts from, which rows it trains and is judged on (event-time ranges), and how far it got. With
 * the network's bytes (weights and updater state) it is everything a restored trainer needs to carry
 * on where the checkpoint left off.
 *
 * @param id random id, recorded in the published version's metrics so a restored trainer never publishes twice
 * @param mode {@code stateful} (warm-started from the parent) or {@code stateless} (from scratch)
 * @param parentVersion the champion version when the run started
 * @param epoch the epoch in progress (0-based)
 * @param batch the next mini-batch of that epoch
 * @param rowsProcessed rows fed to gradient steps so far (a row counts once per epoch)
 */
public record ChallengerRun(long id, String cause, String detail, String mode, long parentVersion, long triggeredAt, int trainRows, int holdoutRows,
        long trainFrom, long trainTo, long holdoutFrom, long holdoutTo, int epochs, int epoch, int batch, long rowsProcessed) {

    public static final TypeInformation<ChallengerRun> TYPE_INFO = new RecordTypeInfo<>(ChallengerRun.class, new Serializer());

    public ChallengerRun progressed(int nextEpoch, int nextBatch, long rows) {
        return new ChallengerRun(id, cause, detail, mode, parentVersion, triggeredAt, trainRows, holdoutRows, trainFrom, trainTo, holdoutFrom, holdoutTo,
                epochs, nextEpoch, nextBatch, rows);
    }

    public boolean finished() {
        return epoch >= epochs;
    }

    /** Explicit serializer; format 1. */
    public static final class Serializer extends ImmutableRecordSerializer<ChallengerRun> {
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
            out.writeLong(r.id);
            Nullables.writeString(r.cause, out);
            Nullables.writeString(r.detail, out);
            Nullables.writeString(r.mode, out);
            out.writeLong(r.parentVersion);
            out.writeLong(r.triggeredAt);
            out.writeInt(r.trainRows);
            out.writeInt(r.holdoutRows);
            out.writeLong(r.trainFrom);
            out.writeLong(r.trainTo);
            out.writeLong(r.holdoutFrom);
            out.writeLong(r.holdoutTo);
            out.writeInt(r.epochs);
            out.writeInt(r.epoch);
            out.writeInt(r.batch);
            out.writeLong(r.rowsProcessed);
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
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ChallengerRun> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
