package io.loopline.state.serialization;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Base of Loopline's explicit serializers for immutable, stateless-to-serialize records.
 *
 * <p>Records are immutable, so copies are the instance itself and the serializer has no mutable
 * fields to duplicate. Subclasses write a version byte first so that a later field can be added
 * without a new snapshot class: {@link #writeRecord} and {@link #readRecord} see the version.
 */
public abstract class ImmutableRecordSerializer<T> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;

    protected abstract int currentFormatVersion();

    protected abstract void writeRecord(T record, DataOutputView out) throws IOException;

    protected abstract T readRecord(int formatVersion, DataInputView in) throws IOException;

    @Override
    public final void serialize(T record, DataOutputView target) throws IOException {
        target.writeByte(currentFormatVersion());
        writeRecord(record, target);
    }

    @Override
    public final T deserialize(DataInputView source) throws IOException {
        int version = source.readUnsignedByte();
        if (version > currentFormatVersion()) {
            throw new IOException(
                    getClass().getSimpleName()
                            + ": record written in format "
                            + version
                            + ", newer than this build's "
                            + currentFormatVersion());
        }
        return readRecord(version, source);
    }

    @Override
    public final T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public final void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public final boolean isImmutableType() {
        return true;
    }

    @Override
    public final TypeSerializer<T> duplicate() {
        return this;
    }

    /** An empty placeholder record; Flink asks for one but never mutates it (records are immutable). */
    @Override
    public abstract T createInstance();

    @Override
    public final T copy(T from) {
        return from;
    }

    @Override
    public final T copy(T from, T reuse) {
        return from;
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final boolean equals(Object obj) {
        return obj != null && obj.getClass() == getClass();
    }

    @Override
    public final int hashCode() {
        return getClass().hashCode();
    }
}
