package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.jobs.config.SpecLoader;
import io.loopline.cluster.JobSubmitter;
import io.loopline.cluster.LocalFlinkCluster;
import io.loopline.synthetic.HistoryWriter;
import io.loopline.synthetic.TransactionGenerator;
import io.loopline.io.EventSources;
import io.loopline.io.InputFormat;
import io.loopline.jobs.backfill.BackfillJob;
import io.loopline.jobs.backfill.BackfillProgress;
import io.loopline.jobs.training.InitialTraining;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.model.ModelMetadata;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backfill as a cluster job: {@code BackfillJob}'s main, submitted from the job jar to a real
 * standalone Flink cluster (its own JobManager and TaskManager processes) with a job config file,
 * writes the same training set and profile statistics as the CLI's in-process run of the same history;
 * then {@code TrainingJob}'s main, submitted the same way, trains on it on the TaskManager and publishes
 * a version that learned as well as the CLI's training of the same set.
 */
class BackfillOnClusterITCase {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aBackfillSubmittedToTheClusterWritesTheSameTrainingSetAsTheCli(@TempDir Path dir) throws Exception {
        Path history = dir.resolve("history.jsonl");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(history))) {
            HistoryWriter.write(new TransactionGenerator(23, 500, 0.01, 1_767_225_600_000L, true), 20_000, Duration.ofSeconds(1), 23, out);
        }
        var spec = SpecLoader.load("transactions");
        Path local = dir.resolve("cli");
        BackfillJob.Result cli = new BackfillJob(EventSources.files(List.of(new org.apache.flink.core.fs.Path(history.toUri())), InputFormat.JSONL,
                spec.csv()), spec, new org.apache.flink.core.fs.Path(local.toUri()), new BackfillJob.Settings(2, 128, 10, false))
                .run(BackfillProgress.NONE);

        Path remote = dir.resolve("cluster");
        Path config = Files.writeString(dir.resolve("backfill.properties"), String.join("\n", "spec=transactions", "input=" + history.toUri(),
                "output=" + remote.toUri(), "parallelism=2", "max-parallelism=128"));
        LocalFlinkCluster cluster = new LocalFlinkCluster(ROOT.resolve("deploy/flink-conf"), Path.of("target", "backfill-cluster"),
                LocalFlinkCluster.launcherClasspath(ROOT.resolve("cli/target/lib")));
        Path models = dir.resolve("models");
        Path trainingConfig = Files.writeString(dir.resolve("training.properties"), String.join("\n", "spec=transactions",
                "train.backfill=" + remote.toUri(), "model.store=" + models.toUri(), "model.name=fraud", "train.hidden=16", "train.epochs=2"));
        cluster.start(Duration.ofSeconds(120));
        try {
            var submitter = new JobSubmitter(cluster.configuration(), "127.0.0.1", 8081);
            File jobJar = ROOT.resolve("jobs/target/loopline-jobs-job.jar").toFile();
            submitter.run(jobJar, "io.loopline.jobs.backfill.BackfillJob", List.of("--config", config.toString()), 2);
            submitter.run(jobJar, "io.loopline.jobs.training.TrainingJob", List.of("--config", trainingConfig.toString()), 1);
        } finally {
            cluster.stop();
        }

        assertThat(remote.resolve(BackfillJob.SUCCESS_FILE)).exists();
        Map<String, double[]> fromCli = TrainingSets.read(local);
        Map<String, double[]> fromCluster = TrainingSets.read(remote);
        assertThat(fromCli).hasSize((int) cli.rows()).hasSizeGreaterThan(19_000);
        assertThat(fromCluster.keySet()).isEqualTo(fromCli.keySet());
        for (var row : fromCli.entrySet()) {
            assertThat(Arrays.equals(fromCluster.get(row.getKey()), row.getValue())).as(row.getKey()).isTrue();
        }
        var cliProfile = JSON.readTree(local.resolve(BackfillJob.PROFILE_FILE).toFile());
        var clusterProfile = JSON.readTree(remote.resolve(BackfillJob.PROFILE_FILE).toFile());
        for (String field : List.of("rows", "deadLetters", "fit", "columns", "eventTimeRange")) {
            assertThat(clusterProfile.get(field)).as(field).isEqualTo(cliProfile.get(field));
        }
        assertThat(cli.deadLetters()).as("the malformed events").isPositive();

        // The training job trained on the cluster's training set and published v1, as the CLI's training of the same set does.
        var store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(models.toUri()));
        ModelMetadata onCluster = store.get("fraud", 1).orElseThrow(() -> new AssertionError("the training job published no fraud v1"));
        var settings = new NetworkSettings(List.of(16), "relu", 0.003, 1e-4, 2, 256, 7);
        var cliStore = new FileSystemModelStore(new org.apache.flink.core.fs.Path(dir.resolve("cli-models").toUri()));
        InitialTraining.Result inCli = new InitialTraining(spec, settings, 0.2).run(
                new org.apache.flink.core.fs.Path(new org.apache.flink.core.fs.Path(local.toUri()), BackfillJob.TRAINING_DIR), cliStore, "fraud");
        assertThat(onCluster.trainingRows()).isEqualTo(inCli.model().trainingRows());
        assertThat(onCluster.featureNames()).isEqualTo(spec.columnNames());
        assertThat(onCluster.metrics().get("validation.auc")).as("validation AUC on the cluster against the CLI's")
                .isCloseTo(inCli.validation().auc(), org.assertj.core.data.Offset.offset(0.03));
    }
}
