package io.loopline.operators.retraining;

import io.loopline.operators.metrics.BinaryMetrics;
import io.loopline.operators.retraining.TrainerState.ShadowTrial;
import io.loopline.operators.training.BinaryClassifier;
import io.loopline.state.model.ModelDraft;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.model.ModelStore;
import io.loopline.state.records.ChallengerRun;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the continual trainer writes to the model store, each at most once even when a restore
 * replays the decision: a promoted challenger (found again by its run id), the champion's weights
 * published again after a rejected shadow (found by the shadow's version) or after a rollback.
 */
final class ChallengerPublications {
    private static final String CHALLENGER_ID = "challenger.id";

    private final ModelStore store;
    private final String model;

    ChallengerPublications(ModelStore store, String model) {
        this.store = store;
        this.model = model;
    }

    /** Publishes the challenger unless a version with its id is already there (published before a failure). */
    ModelMetadata publishOnce(ChallengerRun done, ModelMetadata parent, BinaryClassifier network, BinaryMetrics challenger, BinaryMetrics champion)
            throws IOException {
        Optional<ModelMetadata> existing = publishedVersionOf(done.id());
        if (existing.isPresent()) {
            return existing.get();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("validation.accuracy", challenger.accuracy());
        m.put("validation.auc", challenger.auc());
        m.put("validation.logLoss", challenger.logLoss());
        m.put("validation.brier", challenger.brier());
        m.put("validation.positiveRate", challenger.positiveRate());
        m.put("champion.validation.accuracy", champion.accuracy());
        m.put("champion.validation.logLoss", champion.logLoss());
        m.put("holdout.rows", (double) done.holdoutRows());
        m.put("training.rowsProcessed", (double) done.rowsProcessed());
        m.put("training.epochs", (double) done.epochs());
        m.put("training.stateful", done.mode().equals(TrainingMode.STATEFUL.label()) ? 1.0 : 0.0);
        m.values().removeIf(v -> v.isNaN());
        m.put(CHALLENGER_ID, (double) done.id());
        ModelDraft draft = new ModelDraft(model, done.parentVersion(), parent.format(), parent.featureSpec(), parent.featureNames(),
                Instant.ofEpochMilli(done.trainFrom()), Instant.ofEpochMilli(done.trainTo()), done.trainRows(), m);
        return store.publish(draft, network.toBytes());
    }

    /** The version published for the run with this id, if it was. */
    Optional<ModelMetadata> publishedVersionOf(long challengerId) throws IOException {
        for (ModelMetadata existing : store.versions(model)) {
            Double id = existing.metrics().get(CHALLENGER_ID);
            if (id != null && id.longValue() == challengerId) {
                return Optional.of(existing);
            }
        }
        return Optional.empty();
    }

    /** The champion's weights as the newest version after its shadow was rejected (marked with the shadow's version). */
    ModelMetadata republishedAfterShadow(ShadowTrial trial) throws IOException {
        for (ModelMetadata existing : store.versions(model)) {
            Double of = existing.metrics().get(Champions.SHADOW_REJECTED);
            if (of != null && of.longValue() == trial.version()) {
                return existing;
            }
        }
        ModelMetadata champion = store.get(model, trial.champion()).orElseThrow();
        return Champions.republish(store, champion, Map.of(Champions.SHADOW_REJECTED, (double) trial.version()));
    }

    /** {@code previous}'s weights as the newest version, rolling back {@code rolledBack}; a shadow that never served is marked so no later rollback returns to it. */
    ModelMetadata rollBack(long previous, long rolledBack, long shadowToRetire) throws IOException {
        Map<String, Double> marks = new LinkedHashMap<>();
        marks.put("rollback.of", (double) rolledBack);
        if (shadowToRetire >= 0) {
            marks.put(Champions.SHADOW_REJECTED, (double) shadowToRetire);
        }
        return Champions.republish(store, store.get(model, previous).orElseThrow(), marks);
    }
}
