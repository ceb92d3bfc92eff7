package io.loopline.operators.retraining;

import io.loopline.state.model.ModelDraft;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.model.ModelStore;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The champion of a model is its latest version in the store (serving only ever moves forward).
 * Making an earlier version champion again (a manual promotion or a rollback) therefore publishes
 * its artifact once more as a new version, with the earlier version as parent: the history stays
 * append-only and every swap is visible in it.
 */
public final class Champions {
    /** Metric of a version that re-publishes the champion after a shadow challenger was rejected: the challenger's version. */
    public static final String SHADOW_REJECTED = "shadow.rejected";

    private Champions() {}

    /** Publishes {@code source}'s artifact again as the next version, with these metrics added (e.g. {@code rollback.of}). */
    public static ModelMetadata republish(ModelStore store, ModelMetadata source, Map<String, Double> marks) throws IOException {
        Map<String, Double> metrics = new LinkedHashMap<>(source.metrics());
        metrics.remove("challenger.id"); // a trainer looks for its challenger by this id: the copy must not match
        metrics.remove("rollback.of");
        metrics.remove("promoted.from");
        metrics.remove(SHADOW_REJECTED);
        metrics.putAll(marks);
        ModelDraft draft = new ModelDraft(source.name(), source.version(), source.format(), source.featureSpec(), source.featureNames(),
                source.trainedFrom(), source.trainedTo(), source.trainingRows(), metrics);
        return store.publish(draft, store.readArtifact(source));
    }

    /**
     * The most recent version before the champion whose weights differ from it: what a rollback
     * returns to. A challenger rejected in its shadow trial never served, so it is skipped.
     */
    public static Optional<ModelMetadata> previous(ModelStore store, String name) throws IOException {
        List<ModelMetadata> versions = store.versions(name);
        if (versions.isEmpty()) {
            return Optional.empty();
        }
        java.util.Set<Long> neverServed = new java.util.HashSet<>();
        for (ModelMetadata m : versions) {
            Double rejected = m.metrics().get(SHADOW_REJECTED);
            if (rejected != null) {
                neverServed.add(rejected.longValue());
            }
        }
        ModelMetadata champion = versions.get(versions.size() - 1);
        for (int i = versions.size() - 2; i >= 0; i--) {
            if (!versions.get(i).sha256().equals(champion.sha256()) && !neverServed.contains(versions.get(i).version())) {
                return Optional.of(versions.get(i));
            }
        }
        return Optional.empty();
    }
}
