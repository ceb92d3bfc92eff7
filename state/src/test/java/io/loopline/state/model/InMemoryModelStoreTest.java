package io.loopline.state.model;

class InMemoryModelStoreTest extends ModelStoreContractTest {
    @Override
    protected ModelStore newStore() {
        return new InMemoryModelStore();
    }

    @Override
    protected void corruptArtifact(ModelStore store, ModelMetadata version) {
        ((InMemoryModelStore) store).overwrite(version, "tampered".getBytes());
    }
}
