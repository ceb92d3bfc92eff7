package io.loopline.state.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ModelStore} guarantees. Implementations run it by extending this class and
 * supplying a fresh, empty store (shared through the state module's test-jar).
 */
public abstract class ModelStoreContractTest {

    /** A new, empty store for one test. */
    protected abstract ModelStore newStore() throws Exception;

    /** Damages the stored artifact of a version (for the corruption checks). */
    protected abstract void corruptArtifact(ModelStore store, ModelMetadata version) throws Exception;

    protected static ModelDraft draft(String name, Long parent) {
        return new ModelDraft(name, parent, "test-bytes", "transactions", List.of("a", "b", "c"), Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-01-02T00:00:00Z"), 1000, Map.of("auc", 0.91, "logLoss", 0.2));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void versionsAreNumberedFromOneInPublishOrder() throws Exception {
        ModelStore store = newStore();
        ModelMetadata v1 = store.publish(draft("fraud", null), bytes("one"));
        ModelMetadata v2 = store.publish(draft("fraud", 1L), bytes("two"));

        assertThat(v1.version()).isEqualTo(1);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.parent()).isEqualTo(1L);
        assertThat(store.versions("fraud")).extracting(ModelMetadata::version).containsExactly(1L, 2L);
        assertThat(store.latest("fraud")).hasValue(v2);
        assertThat(store.get("fraud", 1)).hasValue(v1);
        assertThat(store.get("fraud", 3)).isEmpty();
    }

    @Test
    void metadataKeepsEverythingAndTheChecksumOfTheArtifact() throws Exception {
        ModelStore store = newStore();
        ModelMetadata v1 = store.publish(draft("fraud", null), bytes("weights"));

        assertThat(v1.sha256()).isEqualTo(Sha256.of(bytes("weights")));
        assertThat(v1.artifactBytes()).isEqualTo(7);
        assertThat(v1.dimension()).isEqualTo(3);
        assertThat(v1.metrics()).containsEntry("auc", 0.91);
        assertThat(v1.trainingRows()).isEqualTo(1000);
        assertThat(store.readArtifact(v1)).isEqualTo(bytes("weights"));
        assertThat(store.artifactUri(v1)).isNotBlank();
        assertThat(ModelMetadata.fromJson(v1.toJson())).isEqualTo(v1);
    }

    @Test
    void namesAreKeptApartAndListed() throws Exception {
        ModelStore store = newStore();
        store.publish(draft("fraud", null), bytes("f"));
        store.publish(draft("churn", null), bytes("c"));
        store.publish(draft("churn", 1L), bytes("c2"));

        assertThat(store.names()).containsExactly("churn", "fraud");
        assertThat(store.latest("churn").orElseThrow().version()).isEqualTo(2);
        assertThat(store.latest("fraud").orElseThrow().version()).isEqualTo(1);
        assertThat(store.versions("unknown")).isEmpty();
        assertThat(store.latest("unknown")).isEmpty();
    }

    @Test
    void aCorruptArtifactIsNeverReturned() throws Exception {
        ModelStore store = newStore();
        ModelMetadata v1 = store.publish(draft("fraud", null), bytes("weights"));
        corruptArtifact(store, v1);

        assertThatThrownBy(() -> store.readArtifact(v1)).isInstanceOf(CorruptModelException.class).hasMessageContaining("fraud v1");
    }

    @Test
    void namesThatCouldLeaveTheStoreAreRejected() {
        for (String bad : new String[] {"../etc", "a/b", "", ".hidden", "x..y"}) {
            assertThatThrownBy(() -> draft(bad, null)).as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model name");
        }
    }

    @Test
    void concurrentPublishersGetDistinctVersions() throws Exception {
        ModelStore store = newStore();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<ModelMetadata>> publishes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                byte[] artifact = bytes("model-" + i);
                publishes.add(() -> store.publish(draft("fraud", null), artifact));
            }
            List<Long> versions = new ArrayList<>();
            for (Future<ModelMetadata> f : pool.invokeAll(publishes)) {
                versions.add(f.get().version());
            }
            assertThat(versions).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
            for (ModelMetadata m : store.versions("fraud")) {
                assertThat(new String(store.readArtifact(m), StandardCharsets.UTF_8)).startsWith("model-");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
