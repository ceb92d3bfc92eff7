package io.loopline.state.records;

import io.loopline.state.serialization.ChallengerRunSerializer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * The serializer snapshot class that savepoints written while the serializer was nested in
 * {@link ChallengerRun} name. Restoring one resolves this class and continues with {@link ChallengerRunSerializer},
 * whose format it has always been.
 */
public final class ChallengerRun$Snapshot extends SimpleTypeSerializerSnapshot<ChallengerRun> {
    public ChallengerRun$Snapshot() {
        super(ChallengerRunSerializer::new);
    }
}
