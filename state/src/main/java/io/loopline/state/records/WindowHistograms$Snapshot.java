package io.loopline.state.records;

import io.loopline.state.serialization.WindowHistogramsSerializer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * The serializer snapshot class that savepoints written while the serializer was nested in
 * {@link WindowHistograms} name. Restoring one resolves this class and continues with {@link WindowHistogramsSerializer},
 * whose format it has always been.
 */
public final class WindowHistograms$Snapshot extends SimpleTypeSerializerSnapshot<WindowHistograms> {
    public WindowHistograms$Snapshot() {
        super(WindowHistogramsSerializer::new);
    }
}
