package io.loopline.state.records;

import io.loopline.state.serialization.ImmutableRecordSerializer;
import io.loopline.state.serialization.Nullables;
import io.loopline.state.serialization.RecordTypeInfo;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * An event exactly as it arrived: undecoded bytes plus where they came from. Decoding happens in
 * the pipeline, so a malformed payload can be sent to dead-letters with its raw bytes.
 *
 * @param key the record key (may be null)
 * @param value the payload (may be null for a tombstone)
 * @param origin a readable source position, e.g. {@code events-1@4711} or {@code file.jsonl:12}
 * @param timestamp the transport timestamp in epoch millis (Kafka record time), or -1
 */
public record RawEvent(byte[] key, byte[] value, String origin, long timestamp) {

    public static final TypeInformation<RawEvent> TYPE_INFO =
            new RecordTypeInfo<>(RawEvent.class, new Serializer());

    @Override
    public boolean equals(Object o) {
        return o instanceof RawEvent other
                && Arrays.equals(key, other.key)
                && Arrays.equals(value, other.value)
                && java.util.Objects.equals(origin, other.origin)
                && timestamp == other.timestamp;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value) * 31 + Long.hashCode(timestamp);
    }

    @Override
    public String toString() {
        return "RawEvent[" + origin + ", " + (value == null ? 0 : value.length) + " bytes]";
    }

    /** Explicit serializer; format 1: key, value, origin, timestamp. */
    public static final class Serializer extends ImmutableRecordSerializer<RawEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public RawEvent createInstance() {
            return new RawEvent(null, null, null, -1L);
        }

        @Override
        protected int currentFormatVersion() {
            return 1;
        }

        @Override
        protected void writeRecord(RawEvent r, DataOutputView out) throws IOException {
            Nullables.writeBytes(r.key, out);
            Nullables.writeBytes(r.value, out);
            Nullables.writeString(r.origin, out);
            out.writeLong(r.timestamp);
        }

        @Override
        protected RawEvent readRecord(int version, DataInputView in) throws IOException {
            return new RawEvent(
                    Nullables.readBytes(in), Nullables.readBytes(in), Nullables.readString(in), in.readLong());
        }

        @Override
        public TypeSerializerSnapshot<RawEvent> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<RawEvent> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
