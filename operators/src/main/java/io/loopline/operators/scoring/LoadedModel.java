package io.loopline.operators.scoring;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.training.BinaryClassifier;
import io.loopline.state.model.CorruptModelException;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.model.ModelStore;
import io.loopline.state.records.ModelAnnouncement;
import java.util.Optional;

/**
 * A model version that passed every check and can serve: its metadata and its network (one per
 * subtask: DL4J networks are not thread-safe).
 */
public record LoadedModel(ModelMetadata metadata, BinaryClassifier classifier) {
    private static final int WARM_UP_ROWS = 8;
    /** Larger artifacts are refused before they are read: a model that size is a mistake or an attack, and would sit on the heap. */
    public static final long MAX_ARTIFACT_BYTES = 256L << 20;

    public long version() {
        return metadata.version();
    }

    /**
     * Loads and checks an announced version: known to the store, checksum as announced and as
     * stored, made for this feature spec's columns, readable, of the right input size, and giving
     * finite probabilities on a warm-up batch (NaN or infinite weights fail here).
     */
    public static LoadedModel load(ModelStore store, ModelAnnouncement announcement, FeatureSpec spec) throws ModelRejectedException {
        Optional<ModelMetadata> found;
        try {
            found = store.get(announcement.name(), announcement.version());
        } catch (Exception e) {
            throw new ModelRejectedException("store-unreadable", "cannot read the model store: " + e.getMessage());
        }
        ModelMetadata metadata = found.orElseThrow(() -> new ModelRejectedException("unknown-version",
                announcement.name() + " v" + announcement.version() + " is not in the model store"));
        if (!metadata.name().equals(announcement.name()) || metadata.version() != announcement.version()) {
            throw new ModelRejectedException("metadata-mismatch", "the store's metadata for " + announcement.name() + " v" + announcement.version()
                    + " describes " + metadata.name() + " v" + metadata.version());
        }
        if (metadata.artifactBytes() > MAX_ARTIFACT_BYTES) {
            throw new ModelRejectedException("artifact-too-large", metadata.name() + " v" + metadata.version() + " has a "
                    + metadata.artifactBytes() + "-byte artifact; the limit is " + MAX_ARTIFACT_BYTES);
        }
        if (!metadata.sha256().equals(announcement.sha256())) {
            throw new ModelRejectedException("checksum-mismatch", "announced SHA-256 " + announcement.sha256() + " but the store has " + metadata.sha256());
        }
        if (!metadata.featureNames().equals(spec.columnNames())) {
            throw new ModelRejectedException("wrong-features", metadata.name() + " v" + metadata.version() + " reads " + metadata.dimension()
                    + " columns of spec '" + metadata.featureSpec() + "'; this job serves " + spec.dimension() + " columns of spec '" + spec.name() + "'");
        }
        BinaryClassifier classifier;
        try {
            classifier = BinaryClassifier.fromBytes(store.readArtifact(metadata));
        } catch (CorruptModelException e) {
            throw new ModelRejectedException("corrupt-artifact", e.getMessage());
        } catch (io.loopline.operators.training.UnsafeArtifactException e) {
            throw new ModelRejectedException(e.reason(), e.getMessage());
        } catch (Exception e) {
            throw new ModelRejectedException("unreadable-artifact", "the artifact is not a readable network: " + e);
        }
        if (classifier.inputs() != spec.dimension()) {
            throw new ModelRejectedException("wrong-dimension", "the network takes " + classifier.inputs() + " inputs, the spec has " + spec.dimension());
        }
        double[] warmUp = classifier.score(new double[WARM_UP_ROWS][spec.dimension()], WARM_UP_ROWS);
        for (double p : warmUp) {
            if (!(p >= 0 && p <= 1)) {
                throw new ModelRejectedException("non-finite-output", "the network answers " + p + " on the warm-up batch");
            }
        }
        return new LoadedModel(metadata, classifier);
    }
}
