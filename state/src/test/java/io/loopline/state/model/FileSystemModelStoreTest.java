package io.loopline.state.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemModelStoreTest extends ModelStoreContractTest {
    @TempDir
    Path root;

    @Override
    protected ModelStore newStore() {
        return new FileSystemModelStore(new org.apache.flink.core.fs.Path(root.toUri()));
    }

    @Override
    protected void corruptArtifact(ModelStore store, ModelMetadata version) throws Exception {
        Path artifact = root.resolve(version.name()).resolve("v" + version.version()).resolve(FileSystemModelStore.ARTIFACT);
        Files.write(artifact, "tampered".getBytes());
    }

    @Test
    void aVersionWithoutMetadataIsInvisible() throws Exception {
        ModelStore store = newStore();
        store.publish(draft("fraud", null), new byte[] {1});
        // What a crashed publisher on an object store could leave: artifact written, metadata not.
        Files.createDirectories(root.resolve("fraud").resolve("v2"));
        Files.write(root.resolve("fraud").resolve("v2").resolve(FileSystemModelStore.ARTIFACT), new byte[] {2});
        Files.createDirectories(root.resolve(".staging").resolve("fraud-x"));

        assertThat(store.versions("fraud")).extracting(ModelMetadata::version).containsExactly(1L);
        assertThat(store.get("fraud", 2)).isEmpty();
    }
}
