package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.jobs.config.SpecLoader;
import io.loopline.synthetic.HistoryWriter;
import io.loopline.synthetic.TransactionGenerator;
import io.loopline.io.EventSources;
import io.loopline.io.InputFormat;
import io.loopline.io.TrainingSetReader;
import io.loopline.jobs.backfill.BackfillJob;
import io.loopline.jobs.backfill.BackfillProgress;
import io.loopline.jobs.training.InitialTraining;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.metrics.BinaryMetrics;
import io.loopline.operators.training.BinaryClassifier;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.model.ModelMetadata;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Backfill, then train version 1 on the training set and publish it: it learns, and reloads to the same numbers. */
class InitialTrainingITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @Test
    void trainsValidatesOnRecentRowsAndPublishesAReloadableModel(@TempDir Path dir) throws Exception {
        FeatureSpec spec = SpecLoader.load("transactions");
        Path history = dir.resolve("history.jsonl");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(history))) {
            HistoryWriter.write(new TransactionGenerator(3, 2000, 0.0, 1_767_225_600_000L, true), 40_000, Duration.ZERO, 3, out);
        }
        org.apache.flink.core.fs.Path backfill = new org.apache.flink.core.fs.Path(dir.resolve("backfill").toUri());
        new BackfillJob(EventSources.files(List.of(new org.apache.flink.core.fs.Path(history.toUri())), InputFormat.JSONL, spec.csv()), spec,
                backfill, new BackfillJob.Settings(2, 128, 10, false)).run(BackfillProgress.NONE);

        var store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(dir.resolve("models").toUri()));
        var settings = new NetworkSettings(List.of(32, 16), "relu", 0.003, 1e-4, 5, 256, 7);
        org.apache.flink.core.fs.Path trainingDir = new org.apache.flink.core.fs.Path(backfill, BackfillJob.TRAINING_DIR);
        InitialTraining.Result result = new InitialTraining(spec, settings, 0.2).run(trainingDir, store, "fraud");

        ModelMetadata v1 = result.model();
        assertThat(v1.version()).isEqualTo(1);
        assertThat(v1.featureNames()).isEqualTo(spec.columnNames());
        assertThat(v1.trainingRows()).isEqualTo(result.trainingRows());
        assertThat(result.validation().auc()).as("the synthetic fraud signal is learnable").isGreaterThan(0.7);
        assertThat(v1.metrics()).containsEntry("validation.auc", result.validation().auc());

        // Reload from the store and score the held-out rows again: the same network, the same numbers.
        BinaryClassifier reloaded = BinaryClassifier.fromBytes(store.readArtifact(v1));
        List<TrainingSetReader.Row> rows = TrainingSetReader.read(trainingDir).rows();
        List<TrainingSetReader.Row> validation = rows.subList(result.trainingRows(), rows.size());
        double[][] x = validation.stream().map(TrainingSetReader.Row::values).toArray(double[][]::new);
        double[] y = validation.stream().mapToDouble(TrainingSetReader.Row::label).toArray();
        assertThat(BinaryMetrics.of(reloaded.score(x, 512), y).auc()).isEqualTo(result.validation().auc());
        assertThat(reloaded.inputs()).isEqualTo(spec.dimension());
        assertThat(Arrays.stream(reloaded.score(x, 512)).allMatch(p -> p >= 0 && p <= 1)).isTrue();

        // Training streams its set (shuffled batches from a spilled file); it must learn as well as a whole-set fit in memory
        // of the same rows, split, network, epochs and seed (the shuffles differ, so the numbers differ by a little).
        List<TrainingSetReader.Row> training = rows.subList(0, result.trainingRows());
        BinaryClassifier inMemory = BinaryClassifier.create(spec.dimension(), settings);
        inMemory.fit(training.stream().map(TrainingSetReader.Row::values).toArray(double[][]::new),
                training.stream().mapToDouble(TrainingSetReader.Row::label).toArray(), settings.epochs(), settings.batchSize(), settings.seed());
        BinaryMetrics inMemoryValidation = BinaryMetrics.of(inMemory.score(x, 512), y);
        System.out.printf("validation AUC: streamed %.4f, in memory %.4f; log loss: streamed %.4f, in memory %.4f%n",
                result.validation().auc(), inMemoryValidation.auc(), result.validation().logLoss(), inMemoryValidation.logLoss());
        assertThat(result.validation().auc()).as("streamed training's validation AUC against an in-memory fit's")
                .isGreaterThan(inMemoryValidation.auc() - 0.02);
        assertThat(result.validation().logLoss()).as("streamed training's validation log loss against an in-memory fit's")
                .isLessThan(inMemoryValidation.logLoss() * 1.1);
    }
}
