package io.loopline.operators.retraining;

import io.loopline.state.model.ModelMetadata;
import io.loopline.state.model.ModelStore;
import java.io.IOException;
import java.io.Serializable;

/** Tells serving that a version in the store is the new champion (the {@code models} topic in production). */
@FunctionalInterface
public interface ModelAnnouncer extends Serializable {
    void announce(ModelStore store, ModelMetadata metadata) throws IOException;
}
