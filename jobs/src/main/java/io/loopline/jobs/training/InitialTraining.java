package io.loopline.jobs.training;

import io.loopline.io.TrainingSetReader;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.metrics.BinaryMetrics;
import io.loopline.operators.training.BinaryClassifier;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.ModelDraft;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.model.ModelStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.fs.Path;

/**
 * Trains a model on a backfill's training set, from scratch (version 1) or warm-started from a published version: the oldest rows train, the most recent
 * {@code validationFraction} of them (by event time, never shuffled across the split) validate.
 * The validated network, with its updater state, is published to the model store.
 */
public final class InitialTraining {
    private static final int SCORING_BATCH = 512;

    /** What was trained and how it did on the held-out recent rows. */
    public record Result(ModelMetadata model, BinaryMetrics validation, BinaryMetrics training, int trainingRows, int validationRows) {}

    private final FeatureSpec spec;
    private final NetworkSettings network;
    private final double validationFraction;

    public InitialTraining(FeatureSpec spec, NetworkSettings network, double validationFraction) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("--validation-fraction must be in (0, 1), got " + validationFraction);
        }
        this.spec = spec;
        this.network = network;
        this.validationFraction = validationFraction;
    }

    public Result run(Path trainingDir, ModelStore store, String modelName) throws Exception {
        return run(trainingDir, store, modelName, null);
    }

    /**
     * @param parent when given, training continues from this published version (its weights and
     *     updater state) instead of a fresh network, and the result records it as its parent
     */
    public Result run(Path trainingDir, ModelStore store, String modelName, ModelMetadata parent) throws Exception {
        if (parent != null && !parent.featureNames().equals(spec.columnNames())) {
            throw new IllegalArgumentException("--warm-start-from: " + parent.name() + " v" + parent.version()
                    + " was trained on other features than those of spec '" + spec.name() + "'");
        }
        TrainingSetReader.TrainingSet set = TrainingSetReader.read(trainingDir);
        if (!set.columns().equals(spec.columnNames())) {
            throw new IllegalArgumentException("the training set's columns are not those of feature spec '" + spec.name()
                    + "': backfill it again with this spec");
        }
        List<TrainingSetReader.Row> rows = set.rows();
        int validationRows = (int) Math.round(rows.size() * validationFraction);
        int trainingRows = rows.size() - validationRows;
        if (trainingRows < 1 || validationRows < 1) {
            throw new IllegalArgumentException("too few labelled rows to train and validate: " + rows.size());
        }
        double[][] x = new double[rows.size()][];
        double[] y = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            x[i] = rows.get(i).values();
            y[i] = rows.get(i).label();
        }
        double[][] trainX = java.util.Arrays.copyOfRange(x, 0, trainingRows);
        double[] trainY = java.util.Arrays.copyOfRange(y, 0, trainingRows);
        double[][] validX = java.util.Arrays.copyOfRange(x, trainingRows, rows.size());
        double[] validY = java.util.Arrays.copyOfRange(y, trainingRows, rows.size());

        BinaryClassifier classifier = parent == null
                ? BinaryClassifier.create(spec.dimension(), network)
                : BinaryClassifier.fromBytes(store.readArtifact(parent));
        classifier.fit(trainX, trainY, network.epochs(), network.batchSize(), network.seed());
        BinaryMetrics training = BinaryMetrics.of(classifier.score(trainX, SCORING_BATCH), trainY);
        BinaryMetrics validation = BinaryMetrics.of(classifier.score(validX, SCORING_BATCH), validY);

        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("validation.auc", validation.auc());
        metrics.put("validation.logLoss", validation.logLoss());
        metrics.put("validation.accuracy", validation.accuracy());
        metrics.put("validation.brier", validation.brier());
        metrics.put("validation.positiveRate", validation.positiveRate());
        metrics.put("training.auc", training.auc());
        metrics.put("training.logLoss", training.logLoss());
        ModelDraft draft = new ModelDraft(modelName, parent == null ? null : parent.version(), BinaryClassifier.FORMAT, spec.name(), spec.columnNames(),
                Instant.ofEpochMilli(rows.get(0).timestamp()), Instant.ofEpochMilli(rows.get(rows.size() - 1).timestamp()), trainingRows, metrics);
        ModelMetadata published = store.publish(draft, classifier.toBytes());
        return new Result(published, validation, training, trainingRows, validationRows);
    }
}
