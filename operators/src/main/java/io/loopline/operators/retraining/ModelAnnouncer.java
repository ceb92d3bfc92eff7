package io.loopline.operators.retraining;

import io.loopline.state.model.ModelMetadata;
import io.loopline.state.model.ModelStore;
import java.io.IOException;
import java.io.Serializable;

/** Tells serving that a version in the store is the new champion (the {@code models} topic in production). */
@FunctionalInterface
public interface ModelAnnouncer extends Serializable {
    void announce(ModelStore store, ModelMetadata metadata) throws IOException;

    /** Announces a version in a role: a shadow trial, or its end. Announcers that only know champions refuse. */
    default void announce(ModelStore store, ModelMetadata metadata, io.loopline.state.records.ModelAnnouncement.Role role) throws IOException {
        if (role != io.loopline.state.records.ModelAnnouncement.Role.CHAMPION) {
            throw new UnsupportedOperationException(getClass().getName() + " announces champions only, not a " + role.wireName());
        }
        announce(store, metadata);
    }
}
