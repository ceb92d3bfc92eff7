package io.loopline.state.serialization;

import io.loopline.state.records.WindowHistograms;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Explicit serializer of {@link WindowHistograms}; format 1. */
public final class WindowHistogramsSerializer extends ImmutableRecordSerializer<WindowHistograms> {
    public static final TypeInformation<WindowHistograms> TYPE_INFO = new RecordTypeInfo<>(WindowHistograms.class, new WindowHistogramsSerializer());

    private static final long serialVersionUID = 1L;

    @Override
    public WindowHistograms createInstance() {
        return new WindowHistograms(0, 0, 0, 0, new double[0][], new double[0], new double[0]);
    }

    @Override
    protected int currentFormatVersion() {
        return 1;
    }

    @Override
    protected void writeRecord(WindowHistograms h, DataOutputView out) throws IOException {
        out.writeLong(h.windowStart());
        out.writeLong(h.windowEnd());
        out.writeLong(h.modelVersion());
        out.writeLong(h.count());
        out.writeInt(h.features().length);
        for (double[] column : h.features()) {
            Nullables.writeDoubles(column, out);
        }
        Nullables.writeDoubles(h.scores(), out);
        Nullables.writeDoubles(h.labels(), out);
    }

    @Override
    protected WindowHistograms readRecord(int version, DataInputView in) throws IOException {
        long start = in.readLong();
        long end = in.readLong();
        long modelVersion = in.readLong();
        long count = in.readLong();
        double[][] features = new double[in.readInt()][];
        for (int i = 0; i < features.length; i++) {
            features[i] = Nullables.readDoubles(in);
        }
        return new WindowHistograms(start, end, modelVersion, count, features, Nullables.readDoubles(in), Nullables.readDoubles(in));
    }

    @Override
    public TypeSerializerSnapshot<WindowHistograms> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from a savepoint (older savepoints name {@code WindowHistograms$Snapshot}, which does the same). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<WindowHistograms> {
        public Snapshot() {
            super(WindowHistogramsSerializer::new);
        }
    }
}
