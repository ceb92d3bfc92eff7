package io.loopline.operators.scoring;

import io.loopline.state.model.ModelStore;
import java.io.Serializable;

/** Opens the model store inside a task: the store itself is not shipped with the job graph. */
@FunctionalInterface
public interface ModelStoreSupplier extends Serializable {
    ModelStore open();
}
