package io.loopline.state.records;

import io.loopline.state.serialization.ImmutableRecordSerializer;
import io.loopline.state.serialization.Nullables;
import io.loopline.state.serialization.RecordTypeInfo;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Something Loopline could not use, kept with the reason and the original bytes so nothing bad is
 * silently dropped and it can be replayed after a fix.
 *
 * @param reason a short machine-readable reason, e.g. {@code malformed-json}, {@code missing-field}
 * @param field the offending field, or null when the problem is not about one field
 * @param detail a human-readable explanation
 * @param source where it came from (topic/partition/offset or file/line)
 * @param key the original record key (may be null)
 * @param raw the original bytes (may be null)
 * @param time when it was dead-lettered, epoch millis
 */
public record DeadLetter(
        String reason, String field, String detail, String source, byte[] key, byte[] raw, long time) {

    public static final TypeInformation<DeadLetter> TYPE_INFO =
            new RecordTypeInfo<>(DeadLetter.class, new Serializer());

    public DeadLetter {
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetter other
                && reason.equals(other.reason)
                && Objects.equals(field, other.field)
                && Objects.equals(detail, other.detail)
                && Objects.equals(source, other.source)
                && Arrays.equals(key, other.key)
                && Arrays.equals(raw, other.raw)
                && time == other.time;
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, field, source, time);
    }

    @Override
    public String toString() {
        return "DeadLetter[" + reason + (field == null ? "" : " (" + field + ")") + ": " + detail
                + " at " + source + "]";
    }

    /** Explicit serializer; format 1. */
    public static final class Serializer extends ImmutableRecordSerializer<DeadLetter> {
        private static final long serialVersionUID = 1L;

        @Override
        public DeadLetter createInstance() {
            return new DeadLetter("", null, null, null, null, null, 0L);
        }

        @Override
        protected int currentFormatVersion() {
            return 1;
        }

        @Override
        protected void writeRecord(DeadLetter d, DataOutputView out) throws IOException {
            Nullables.writeString(d.reason, out);
            Nullables.writeString(d.field, out);
            Nullables.writeLongString(d.detail, out);
            Nullables.writeString(d.source, out);
            Nullables.writeBytes(d.key, out);
            Nullables.writeBytes(d.raw, out);
            out.writeLong(d.time);
        }

        @Override
        protected DeadLetter readRecord(int version, DataInputView in) throws IOException {
            return new DeadLetter(
                    Nullables.readString(in),
                    Nullables.readString(in),
                    Nullables.readLongString(in),
                    Nullables.readString(in),
                    Nullables.readBytes(in),
                    Nullables.readBytes(in),
                    in.readLong());
        }

        @Override
        public TypeSerializerSnapshot<DeadLetter> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<DeadLetter> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
