package io.loopline.state.model;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A model store in this JVM's memory: for tests and single-process tools. Thread-safe. */
public final class InMemoryModelStore implements ModelStore {
    private final Map<String, List<ModelMetadata>> versions = new TreeMap<>();
    private final Map<String, byte[]> artifacts = new TreeMap<>();
    private final Clock clock;

    public InMemoryModelStore() {
        this(Clock.systemUTC());
    }

    public InMemoryModelStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized ModelMetadata publish(ModelDraft draft, byte[] artifact) {
        List<ModelMetadata> existing = versions.computeIfAbsent(draft.name(), n -> new ArrayList<>());
        ModelMetadata metadata = new ModelMetadata(draft.name(), existing.size() + 1L, draft.parent(), clock.instant(), draft.format(),
                draft.featureSpec(), draft.featureNames(), draft.trainedFrom(), draft.trainedTo(), draft.trainingRows(), draft.metrics(),
                Sha256.of(artifact), artifact.length);
        artifacts.put(key(metadata), artifact.clone());
        existing.add(metadata);
        return metadata;
    }

    @Override
    public synchronized List<String> names() {
        return new ArrayList<>(versions.keySet());
    }

    @Override
    public synchronized List<ModelMetadata> versions(String name) {
        return new ArrayList<>(versions.getOrDefault(name, List.of()));
    }

    @Override
    public synchronized Optional<ModelMetadata> get(String name, long version) {
        List<ModelMetadata> list = versions.getOrDefault(name, List.of());
        return version >= 1 && version <= list.size() ? Optional.of(list.get((int) version - 1)) : Optional.empty();
    }

    @Override
    public synchronized byte[] readArtifact(ModelMetadata metadata) {
        byte[] bytes = artifacts.get(key(metadata));
        if (bytes == null || bytes.length != metadata.artifactBytes() || !Sha256.of(bytes).equals(metadata.sha256())) {
            throw new CorruptModelException("artifact of " + metadata.name() + " v" + metadata.version() + " is missing or does not match its metadata");
        }
        return bytes.clone();
    }

    @Override
    public String artifactUri(ModelMetadata metadata) {
        return "memory:" + key(metadata);
    }

    /** Replaces an artifact's bytes, as a damaged store would (contract tests). */
    synchronized void overwrite(ModelMetadata metadata, byte[] bytes) {
        artifacts.put(key(metadata), bytes.clone());
    }

    private static String key(ModelMetadata m) {
        return m.name() + "/v" + m.version();
    }
}
