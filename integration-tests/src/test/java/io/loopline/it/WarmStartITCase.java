package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.synthetic.HistoryWriter;
import io.loopline.synthetic.TransactionGenerator;
import io.loopline.io.EventSources;
import io.loopline.io.InputFormat;
import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.ServingJob;
import io.loopline.jobs.backfill.BackfillJob;
import io.loopline.jobs.backfill.BackfillProgress;
import io.loopline.kafka.KafkaTopics;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.profile.FeatureFit;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * No cold start: the backfill writes the feature state at the end of history as a savepoint; a
 * serving job started from it gives each entity's first live events the same features as a job
 * that streamed the whole history first. A job without the savepoint does not (the control).
 */
class WarmStartITCase {
    private static final int PARALLELISM = 2;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(PARALLELISM).build());

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @Test
    void aServingJobStartedFromTheBackfillSavepointServesWarmFeatures(@TempDir Path dir) throws Exception {
        FeatureSpec spec = FeatureParityITCase.paritySpec();
        var generator = new TransactionGenerator(17, 200, 0.0, 1_767_225_600_000L, true);
        Path historyFile = dir.resolve("history.jsonl");
        List<TransactionGenerator.Generated> history;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(historyFile))) {
            history = HistoryWriter.write(generator, 10_000, Duration.ofSeconds(1), 17, out);
        }
        // Live events continue the same stream, after the history.
        List<TransactionGenerator.Generated> live = HistoryWriter.write(generator, 2_000, Duration.ofSeconds(1), 18, new ByteArrayOutputStream());

        BackfillJob.Result backfill = new BackfillJob(
                EventSources.files(List.of(new org.apache.flink.core.fs.Path(historyFile.toUri())), InputFormat.JSONL, spec.csv()),
                spec, new org.apache.flink.core.fs.Path(dir.resolve("backfill").toUri()), new BackfillJob.Settings(PARALLELISM, 128, 10, false, true))
                .run(BackfillProgress.NONE);
        assertThat(backfill.savepoint()).isNotNull();
        assertThat(Files.exists(Path.of(backfill.savepoint().toUri()).resolve("_metadata"))).isTrue();

        String bootstrap = KAFKA.bootstrapServers();
        List<TransactionGenerator.Generated> everything = new ArrayList<>(history);
        everything.addAll(live);
        Map<String, double[]> streamedAll = serve(dir, "all", everything, null, backfill.fit(), spec, null);
        Map<String, double[]> warm = serve(dir, "warm", live, null, backfill.fit(), spec, backfill.savepoint().toString());
        Map<String, double[]> cold = serve(dir, "cold", live, null, backfill.fit(), spec, null);

        assertThat(warm).hasSize(live.size());
        int differentWhenCold = 0;
        for (var event : live) {
            double[] reference = streamedAll.get(event.eventId());
            assertThat(warm.get(event.eventId())).as(event.eventId()).containsExactly(reference);
            if (!Arrays.equals(cold.get(event.eventId()), reference)) {
                differentWhenCold++;
            }
        }
        assertThat(differentWhenCold).as("without the savepoint the first live events lack their history").isGreaterThan(live.size() / 10);
    }

    /**
     * Label history too: the backfill's savepoint holds each card's labels, so a job restored from it and fed only the live
     * labels computes what a job fed the whole history and all labels computes.
     */
    @Test
    void theSavepointCarriesEachEntitysLabelHistory(@TempDir Path dir) throws Exception {
        FeatureSpec spec = FeatureParityITCase.labelHistorySpec();
        var generator = new TransactionGenerator(23, 200, 0.0, 1_767_225_600_000L, true);
        Path historyFile = dir.resolve("history.jsonl");
        List<TransactionGenerator.Generated> history;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(historyFile))) {
            history = HistoryWriter.write(generator, 10_000, Duration.ofSeconds(1), 23, true, out);
        }
        List<TransactionGenerator.Generated> live = HistoryWriter.write(generator, 2_000, Duration.ofSeconds(1), 24, true, new ByteArrayOutputStream());
        BackfillJob.Result backfill = new BackfillJob(
                EventSources.files(List.of(new org.apache.flink.core.fs.Path(historyFile.toUri())), InputFormat.JSONL, spec.csv()),
                spec, new org.apache.flink.core.fs.Path(dir.resolve("backfill").toUri()), new BackfillJob.Settings(PARALLELISM, 128, 10, false, true))
                .run(BackfillProgress.NONE);

        List<TransactionGenerator.Generated> everything = new ArrayList<>(history);
        everything.addAll(live);
        Duration delay = spec.labelTiming().arrivalDelay();
        Map<String, double[]> streamedAll = serve(dir, "labels-all", everything, FeatureParityITCase.labelsOf(everything, delay), backfill.fit(), spec,
                null);
        Map<String, double[]> warm = serve(dir, "labels-warm", live, FeatureParityITCase.labelsOf(live, delay), backfill.fit(), spec,
                backfill.savepoint().toString());
        Map<String, double[]> cold = serve(dir, "labels-cold", live, FeatureParityITCase.labelsOf(live, delay), backfill.fit(), spec, null);

        int known = spec.columnNames().indexOf("labels_known");
        int differentWhenCold = 0;
        for (var event : live) {
            double[] reference = streamedAll.get(event.eventId());
            assertThat(warm.get(event.eventId())).as(event.eventId()).containsExactly(reference);
            if (cold.get(event.eventId())[known] != reference[known]) {
                differentWhenCold++;
            }
        }
        assertThat(differentWhenCold).as("without the savepoint the first live events lack their card's labels").isGreaterThan(live.size() / 10);
    }

    private Map<String, double[]> serve(Path dir, String name, List<TransactionGenerator.Generated> events, List<TransactionGenerator.Generated> labels,
            FeatureFit fit, FeatureSpec spec, String savepoint) throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        KafkaTopics.ensure(bootstrap, Map.of(name + "-events", PARALLELISM, name + "-features", PARALLELISM, name + "-labels", PARALLELISM,
                name + "-dead", 1), Duration.ofSeconds(30));
        TestProducer.write(bootstrap, name + "-events", events);
        if (labels != null) {
            TestProducer.write(bootstrap, name + "-labels", labels);
        }
        Configuration conf = LocalEnvironments.streamingConfiguration(PARALLELISM, dir.resolve("checkpoints-" + name), Duration.ofMillis(500));
        if (savepoint != null) {
            LocalEnvironments.restoringFrom(conf, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        ServingJob serving = new ServingJob(KafkaIo.events(bootstrap, name + "-events", name, true),
                KafkaIo.features(bootstrap, name + "-features", spec.name(), name),
                KafkaIo.deadLetters(bootstrap, name + "-dead", name),
                new ServingJob.Settings(spec, fit, 128));
        if (labels != null) {
            serving.withLabels(KafkaIo.events(bootstrap, name + "-labels", name + "-labels", true));
        }
        serving.build(env);
        env.execute("warm-start-" + name);

        return FeatureRecords.read(bootstrap, name + "-features");
    }
}
