package io.loopline.state.model;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Versioned model artifacts with metadata. Versions of a name are numbered 1, 2, 3, ... in publish
 * order; a version becomes visible only when its artifact and metadata are complete, and never
 * changes afterwards. {@code ModelStoreContractTest} is the behaviour every implementation shares.
 */
public interface ModelStore {

    /** Stores the artifact and its metadata as the next version of the draft's name. */
    ModelMetadata publish(ModelDraft draft, byte[] artifact) throws IOException;

    /** Model names with at least one version, sorted. */
    List<String> names() throws IOException;

    /** All versions of a name, oldest first; empty for an unknown name. */
    List<ModelMetadata> versions(String name) throws IOException;

    Optional<ModelMetadata> get(String name, long version) throws IOException;

    default Optional<ModelMetadata> latest(String name) throws IOException {
        List<ModelMetadata> versions = versions(name);
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
    }

    /**
     * The artifact's bytes, checked against the metadata's size and SHA-256.
     *
     * @throws CorruptModelException when they do not match
     */
    byte[] readArtifact(ModelMetadata metadata) throws IOException;

    /** Where the artifact lives, for the {@code models} topic. */
    String artifactUri(ModelMetadata metadata);
}
