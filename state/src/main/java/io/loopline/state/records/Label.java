package io.loopline.state.records;

import io.loopline.state.serialization.ImmutableRecordSerializer;
import io.loopline.state.serialization.Nullables;
import io.loopline.state.serialization.RecordTypeInfo;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** An outcome that arrived for an event (a chargeback, a click): the event's id, the label, and when it was observed (event time). */
public record Label(String eventId, double value, long timestamp) {

    public static final TypeInformation<Label> TYPE_INFO = new RecordTypeInfo<>(Label.class, new Serializer());

    public Label {
        Objects.requireNonNull(eventId, "eventId");
    }

    /** Explicit serializer; format 1. */
    public static final class Serializer extends ImmutableRecordSerializer<Label> {
        private static final long serialVersionUID = 1L;

        @Override
        public Label createInstance() {
            return new Label("", Double.NaN, 0L);
        }

        @Override
        protected int currentFormatVersion() {
            return 1;
        }

        @Override
        protected void writeRecord(Label l, DataOutputView out) throws IOException {
            Nullables.writeString(l.eventId, out);
            out.writeDouble(l.value);
            out.writeLong(l.timestamp);
        }

        @Override
        protected Label readRecord(int version, DataInputView in) throws IOException {
            return new Label(Nullables.readString(in), in.readDouble(), in.readLong());
        }

        @Override
        public TypeSerializerSnapshot<Label> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Label> {
        public Snapshot() {
            super(Serializer::new);
        }
    }
}
