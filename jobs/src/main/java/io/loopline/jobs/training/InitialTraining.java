package io.loopline.jobs.training;

import io.loopline.io.TrainingSetReader;
import io.loopline.jobs.config.TrainingOptions;
import io.loopline.operators.config.OptionReader;
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
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.core.fs.Path;

/**
 * Trains a model on a backfill's training set, from scratch (version 1) or warm-started from a published version: the oldest rows train, the most recent
 * {@code validationFraction} of them (by event time, never shuffled across the split) validate.
 * The validated network, with its updater state, is published to the model store.
 */
public final class InitialTraining {
    private static final int SCORING_BATCH = 512;

    /** Rows shuffled together per epoch: the whole set when it is smaller (the demo's), a window of it when larger. */
    static final int SHUFFLE_BUFFER_ROWS = 100_000;

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

    /**
     * Training as {@link TrainingOptions} describe it; a value that cannot be used names its key
     * ({@link io.loopline.operators.config.InvalidOptionException}), for the CLI to report under its flag and a job under its key.
     */
    public static InitialTraining from(FeatureSpec spec, ReadableConfig config) {
        OptionReader read = new OptionReader(config);
        String activation = read.get(TrainingOptions.ACTIVATION).trim();
        try {
            org.nd4j.linalg.activations.Activation.valueOf(activation.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw OptionReader.invalid(TrainingOptions.ACTIVATION, "'" + activation + "' is not a DL4J activation (relu, tanh, sigmoid, leakyrelu, elu, ...)");
        }
        double learningRate = read.number(TrainingOptions.LEARNING_RATE);
        if (!(learningRate > 0)) {
            throw OptionReader.invalid(TrainingOptions.LEARNING_RATE, "must be above 0, got " + learningRate);
        }
        var network = new NetworkSettings(read.layerWidths(TrainingOptions.HIDDEN), activation, learningRate,
                read.atLeast(TrainingOptions.L2, 0.0), read.atLeast(TrainingOptions.EPOCHS, 1), read.atLeast(TrainingOptions.BATCH_SIZE, 1),
                read.get(TrainingOptions.SEED));
        return new InitialTraining(spec, network, read.inside(TrainingOptions.VALIDATION_FRACTION, 0, 1));
    }

    public NetworkSettings network() {
        return network;
    }

    public double validationFraction() {
        return validationFraction;
    }

    /** What was trained, from the published version's metrics: the lines {@code loopline train} and the training job print. */
    public static void print(ModelMetadata model, int validationRows, String artifactUri, java.io.PrintStream out) {
        Map<String, Double> m = model.metrics();
        out.printf(java.util.Locale.ROOT, "Trained %s v%d on %,d rows, validated on the %,d most recent:%n", model.name(), model.version(),
                model.trainingRows(), validationRows);
        out.printf(java.util.Locale.ROOT, "  validation AUC %.4f, log loss %.4f, accuracy %.4f, Brier %.4f (positive rate %.4f)%n",
                m.get("validation.auc"), m.get("validation.logLoss"), m.get("validation.accuracy"), m.get("validation.brier"),
                m.get("validation.positiveRate"));
        out.printf(java.util.Locale.ROOT, "  training   AUC %.4f, log loss %.4f%n", m.get("training.auc"), m.get("training.logLoss"));
        out.printf("  published %s (sha256 %s)%n", artifactUri, model.sha256());
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
        // The set is parsed once and spilled to a local binary file; the split, each epoch and the scoring stream it.
        try (SpilledRows rows = SpilledRows.of(trainingDir)) {
            return train(rows, store, modelName, parent);
        }
    }

    private Result train(SpilledRows rows, ModelStore store, String modelName, ModelMetadata parent) throws Exception {
        TimeSplit split = TimeSplit.of(rows, validationFraction);
        if (!split.columns.equals(spec.columnNames())) {
            throw new IllegalArgumentException("the training set's columns are not those of feature spec '" + spec.name()
                    + "': backfill it again with this spec");
        }
        int trainingRows = split.trainingRows;
        int validationRows = split.validationRows;

        BinaryClassifier classifier = parent == null
                ? BinaryClassifier.create(spec.dimension(), network)
                : BinaryClassifier.fromBytes(store.readArtifact(parent));
        ShuffledBatches batches = new ShuffledBatches(SHUFFLE_BUFFER_ROWS, network.batchSize(), network.seed(), classifier::fitBatch);
        for (int epoch = 0; epoch < network.epochs(); epoch++) {
            rows.forEach(row -> {
                if (!split.validates(row)) {
                    batches.add(row.values(), row.label());
                }
            });
            batches.endEpoch();
        }
        BinaryMetrics training = score(rows, classifier, row -> !split.validates(row));
        BinaryMetrics validation = score(rows, classifier, split::validates);

        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("validation.auc", validation.auc());
        metrics.put("validation.logLoss", validation.logLoss());
        metrics.put("validation.accuracy", validation.accuracy());
        metrics.put("validation.brier", validation.brier());
        metrics.put("validation.positiveRate", validation.positiveRate());
        metrics.put("training.auc", training.auc());
        metrics.put("training.logLoss", training.logLoss());
        ModelDraft draft = new ModelDraft(modelName, parent == null ? null : parent.version(), BinaryClassifier.FORMAT, spec.name(), spec.columnNames(),
                Instant.ofEpochMilli(split.firstTime), Instant.ofEpochMilli(split.lastTime), trainingRows, metrics);
        ModelMetadata published = store.publish(draft, classifier.toBytes());
        return new Result(published, validation, training, trainingRows, validationRows);
    }

    /**
     * Scores the rows {@code which} selects, in batches, keeping only score, label and sort key per row;
     * the metrics see them in event-time order (ties by id), as the rows were split.
     */
    private static BinaryMetrics score(SpilledRows rows, BinaryClassifier classifier, java.util.function.Predicate<TrainingSetReader.Row> which)
            throws java.io.IOException {
        List<TrainingSetReader.Row> pending = new java.util.ArrayList<>(SCORING_BATCH);
        List<Scored> scored = new java.util.ArrayList<>();
        TrainingSetReader.RowConsumer flush = ignored -> {
            double[] s = classifier.score(pending.stream().map(TrainingSetReader.Row::values).toArray(double[][]::new), SCORING_BATCH);
            for (int i = 0; i < s.length; i++) {
                TrainingSetReader.Row r = pending.get(i);
                scored.add(new Scored(r.timestamp(), r.eventId(), s[i], r.label()));
            }
            pending.clear();
        };
        rows.forEach(row -> {
            if (which.test(row)) {
                pending.add(row);
                if (pending.size() == SCORING_BATCH) {
                    flush.accept(null);
                }
            }
        });
        if (!pending.isEmpty()) {
            flush.accept(null);
        }
        scored.sort(java.util.Comparator.comparingLong(Scored::time).thenComparing(Scored::eventId));
        return BinaryMetrics.of(scored.stream().mapToDouble(Scored::score).toArray(), scored.stream().mapToDouble(Scored::label).toArray());
    }

    private record Scored(long time, String eventId, double score, double label) {}
}
