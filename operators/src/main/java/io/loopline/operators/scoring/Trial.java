package io.loopline.operators.scoring;

import io.loopline.state.records.ModelAnnouncement;
import org.apache.flink.util.MathUtils;

/**
 * A challenger running beside the champion, as a shadow (scored on every event, never served) or
 * as a canary (serves a share of the entities).
 */
record Trial(LoadedModel model, ModelAnnouncement announcement) {
    private static final double HASH_SPACE = 1L << 31;

    long version() {
        return model.version();
    }

    boolean isShadow() {
        return announcement.role() == ModelAnnouncement.Role.SHADOW;
    }

    /**
     * Whether the canary serves this entity. Sticky: the same entities on every subtask, in every
     * JVM and after a restart ({@link String#hashCode} is specified by the language; murmur spreads
     * it evenly), and a larger share serves a superset of a smaller one's entities.
     */
    boolean servesEntity(String entity) {
        if (announcement.role() != ModelAnnouncement.Role.CANARY) {
            return false;
        }
        int hash = MathUtils.murmurHash(entity == null ? 0 : entity.hashCode());
        return hash / HASH_SPACE < announcement.canaryShare();
    }
}
