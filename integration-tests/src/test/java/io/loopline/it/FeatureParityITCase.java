package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.cli.SpecLoader;
import io.loopline.demo.HistoryWriter;
import io.loopline.demo.TransactionGenerator;
import io.loopline.io.EventSources;
import io.loopline.io.InputFormat;
import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.ServingJob;
import io.loopline.jobs.backfill.BackfillJob;
import io.loopline.jobs.backfill.BackfillProgress;
import io.loopline.kafka.KafkaTopics;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.features.spec.FeatureSpecParser;
import io.loopline.state.profile.ReferenceProfile;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * No training/serving skew: the same file of events, arriving out of order for many entities, goes
 * through the backfill (Flink BATCH, from the file) and through the serving job (Flink STREAMING,
 * from Kafka, parallelism 2, RocksDB), and every event id gets a bit-identical feature vector, although
 * serving featurizes each event as it arrives rather than when the watermark passes it. Arrival is
 * shuffled across cards by up to 4 s of event time (the spec allows 5 s), each card's events in
 * order, as a topic keyed by card delivers them.
 */
class FeatureParityITCase {
    private static final int PARALLELISM = 2;
    private static final int EVENTS = 30_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(PARALLELISM).build());

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    /** The demo spec with pure event-time watermarks: a slow CI machine must not turn an event late. */
    static FeatureSpec paritySpec() {
        String yaml = SpecLoader.builtInText("transactions").replace("  idle_ttl: 7d", "  idle_ttl: 7d\n  idle_flush: 0s");
        FeatureSpec spec = FeatureSpecParser.parse(yaml, "transactions-parity.yaml");
        assertThat(spec.idleFlush()).isZero();
        return spec;
    }

    @Test
    void batchAndStreamingComputeBitIdenticalFeatures(@TempDir Path dir) throws Exception {
        FeatureSpec spec = paritySpec();
        // 300 cards, events 1-20 ms apart, shuffled up to 4 s out of order across cards (the spec allows 5 s).
        Path events = dir.resolve("events.jsonl");
        List<TransactionGenerator.Generated> written;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(events))) {
            written = HistoryWriter.write(new TransactionGenerator(99, 300, 0.0, 1_767_225_600_000L, true), EVENTS, Duration.ofSeconds(4), 99,
                    true, out);
        }
        assertThat(written).hasSize(EVENTS);
        long overtaken = 0; // events written after a later one (of another card): the watermark would have held them back
        long newest = Long.MIN_VALUE;
        for (var g : written) {
            overtaken += g.timestamp() < newest ? 1 : 0;
            newest = Math.max(newest, g.timestamp());
        }
        assertThat(overtaken).as("arrival is shuffled").isGreaterThan(EVENTS / 4);

        // BATCH: the backfill over the file.
        Path backfill = dir.resolve("backfill");
        new BackfillJob(EventSources.files(List.of(new org.apache.flink.core.fs.Path(events.toUri())), InputFormat.JSONL, spec.csv()),
                spec, new org.apache.flink.core.fs.Path(backfill.toUri()), new BackfillJob.Settings(PARALLELISM, 128, 10, false))
                .run(BackfillProgress.NONE);
        Map<String, double[]> batch = TrainingSets.read(backfill);
        ReferenceProfile profile = ReferenceProfile.read(new org.apache.flink.core.fs.Path(backfill.resolve(BackfillJob.PROFILE_FILE).toUri()))
                .requireColumns(spec.name(), spec.columnNames());

        // STREAMING: the same lines, in the same order, through Kafka into the serving job.
        String bootstrap = KAFKA.bootstrapServers();
        KafkaTopics.ensure(bootstrap, Map.of("parity-events", PARALLELISM, "parity-features", PARALLELISM, "parity-dead-letters", 1),
                Duration.ofSeconds(30));
        TestProducer.write(bootstrap, "parity-events", written);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                LocalEnvironments.streamingConfiguration(PARALLELISM, dir.resolve("checkpoints"), Duration.ofMillis(500)));
        new ServingJob(
                KafkaIo.events(bootstrap, "parity-events", "parity", true),
                KafkaIo.features(bootstrap, "parity-features", spec.name(), "parity"),
                KafkaIo.deadLetters(bootstrap, "parity-dead-letters", "parity"),
                new ServingJob.Settings(spec, profile.fit(), 128))
                .build(env);
        env.execute("feature-parity-streaming");
        Map<String, double[]> streaming = FeatureRecords.read(bootstrap, "parity-features");

        assertThat(CommittedRecords.readAll(bootstrap, "parity-dead-letters", Duration.ofSeconds(30))).as("no event was late").isEmpty();
        assertThat(streaming.keySet()).hasSize(EVENTS).isEqualTo(batch.keySet());
        int windowed = spec.columnNames().indexOf("amount_1h_count");
        long withHistory = 0;
        for (var e : batch.entrySet()) {
            double[] served = streaming.get(e.getKey());
            if (!Arrays.equals(bits(e.getValue()), bits(served))) {
                throw new AssertionError("event " + e.getKey() + " differs:\n batch     " + Arrays.toString(e.getValue())
                        + "\n streaming " + Arrays.toString(served));
            }
            if (e.getValue()[windowed] > 0) {
                withHistory++;
            }
        }
        assertThat(withHistory).as("most events see earlier events of their card in the 1 h window").isGreaterThan(EVENTS / 2);
    }

    private static long[] bits(double[] values) {
        return Arrays.stream(values).mapToLong(Double::doubleToRawLongBits).toArray();
    }
}
