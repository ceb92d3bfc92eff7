package io.loopline.state.records;

import io.loopline.state.serialization.ModelAnnouncementSerializer;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * The serializer snapshot class that savepoints written while the serializer was nested in
 * {@link ModelAnnouncement} name. Restoring one resolves this class and continues with {@link ModelAnnouncementSerializer},
 * whose format it has always been.
 */
public final class ModelAnnouncement$Snapshot extends SimpleTypeSerializerSnapshot<ModelAnnouncement> {
    public ModelAnnouncement$Snapshot() {
        super(ModelAnnouncementSerializer::new);
    }
}
