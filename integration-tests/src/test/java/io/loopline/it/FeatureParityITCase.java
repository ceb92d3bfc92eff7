package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.jobs.config.SpecLoader;
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

    /** The parity spec with label-history features: each label arrives 2 s after its event. */
    static FeatureSpec labelHistorySpec() {
        String yaml = SpecLoader.builtInText("transactions").replace("  idle_ttl: 7d", "  idle_ttl: 7d\n  idle_flush: 0s")
                + "  - {name: last_label, type: label_history, stat: last}\n"
                + "  - {name: label_mean_5, type: label_history, stat: mean, last: 5}\n"
                + "  - {name: labels_known, type: label_history, stat: count, last: 5}\n"
                + "  - {name: since_fraud, type: label_history, stat: seconds_since_positive}\n"
                + "labels: {arrival_delay: 2s, max_wait: 10m}\n";
        return FeatureSpecParser.parse(yaml, "transactions-label-history.yaml");
    }

    @Test
    void batchAndStreamingComputeBitIdenticalFeatures(@TempDir Path dir) throws Exception {
        FeatureSpec spec = paritySpec();
        Map<String, double[]> batch = assertBitIdentical(dir, spec, "parity", false);
        int windowed = spec.columnNames().indexOf("amount_1h_count");
        long withHistory = batch.values().stream().filter(row -> row[windowed] > 0).count();
        assertThat(withHistory).as("most events see earlier events of their card in the 1 h window").isGreaterThan(EVENTS / 2);
    }

    /**
     * Labels on their own topic, read as they come while events arrive shuffled: every event still
     * sees exactly the labels of its card that arrived before it, as the backfill computes them.
     */
    @Test
    void labelHistoryIsTheSameInBatchAndStreaming(@TempDir Path dir) throws Exception {
        FeatureSpec spec = labelHistorySpec();
        Map<String, double[]> batch = assertBitIdentical(dir, spec, "label-parity", true);
        int known = spec.columnNames().indexOf("labels_known");
        int sinceFraud = spec.columnNames().indexOf("since_fraud");
        // Imputed missing values are the fit's mean, so "known" is read from the count and a standardized column's spread.
        assertThat(batch.values().stream().filter(row -> row[known] > 0).count()).as("events that know labels of their card")
                .isGreaterThan(EVENTS / 2);
        assertThat(batch.values().stream().mapToDouble(row -> row[sinceFraud]).distinct().count()).as("events that know a fraud of their card")
                .isGreaterThan(10);
    }

    private Map<String, double[]> assertBitIdentical(Path dir, FeatureSpec spec, String prefix, boolean withLabels) throws Exception {
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

        // BATCH: the backfill over the file (each event's own label, arriving the spec's arrival delay later).
        Path backfill = dir.resolve("backfill");
        new BackfillJob(EventSources.files(List.of(new org.apache.flink.core.fs.Path(events.toUri())), InputFormat.JSONL, spec.csv()),
                spec, new org.apache.flink.core.fs.Path(backfill.toUri()), new BackfillJob.Settings(PARALLELISM, 128, 10, false))
                .run(BackfillProgress.NONE);
        Map<String, double[]> batch = TrainingSets.read(backfill);
        ReferenceProfile profile = ReferenceProfile.read(new org.apache.flink.core.fs.Path(backfill.resolve(BackfillJob.PROFILE_FILE).toUri()))
                .requireColumns(spec.name(), spec.columnNames());

        // STREAMING: the same lines, in the same order, through Kafka into the serving job; labels on their own topic.
        String bootstrap = KAFKA.bootstrapServers();
        KafkaTopics.ensure(bootstrap, Map.of(prefix + "-events", PARALLELISM, prefix + "-features", PARALLELISM, prefix + "-labels", PARALLELISM,
                prefix + "-dead-letters", 1), Duration.ofSeconds(30));
        TestProducer.write(bootstrap, prefix + "-events", written);
        if (withLabels) {
            TestProducer.write(bootstrap, prefix + "-labels", labelsOf(written, spec.labelTiming().arrivalDelay()));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                LocalEnvironments.streamingConfiguration(PARALLELISM, dir.resolve("checkpoints"), Duration.ofMillis(500)));
        ServingJob serving = new ServingJob(
                KafkaIo.events(bootstrap, prefix + "-events", prefix, true),
                KafkaIo.features(bootstrap, prefix + "-features", spec.name(), prefix),
                KafkaIo.deadLetters(bootstrap, prefix + "-dead-letters", prefix),
                new ServingJob.Settings(spec, profile.fit(), 128));
        if (withLabels) {
            serving.withLabels(KafkaIo.events(bootstrap, prefix + "-labels", prefix + "-labels", true));
        }
        serving.build(env);
        env.execute(prefix + "-streaming");
        Map<String, double[]> streaming = FeatureRecords.read(bootstrap, prefix + "-features");

        assertThat(CommittedRecords.readAll(bootstrap, prefix + "-dead-letters", Duration.ofSeconds(30))).as("no event was late").isEmpty();
        assertThat(streaming.keySet()).hasSize(EVENTS).isEqualTo(batch.keySet());
        for (var e : batch.entrySet()) {
            double[] served = streaming.get(e.getKey());
            if (!Arrays.equals(bits(e.getValue()), bits(served))) {
                throw new AssertionError("event " + e.getKey() + " differs:\n batch     " + Arrays.toString(e.getValue())
                        + "\n streaming " + Arrays.toString(served));
            }
        }
        return batch;
    }

    /** The labels topic's records for the written events: {eventId, label, timestamp = event time + delay, card_id}, in arrival order. */
    static List<TransactionGenerator.Generated> labelsOf(List<TransactionGenerator.Generated> written, Duration delay) {
        return written.stream()
                .filter(TransactionGenerator.Generated::valid)
                .sorted(java.util.Comparator.comparingLong(TransactionGenerator.Generated::timestamp))
                .map(g -> {
                    long arrival = g.timestamp() + delay.toMillis();
                    String json = "{\"eventId\":\"" + g.eventId() + "\",\"label\":" + g.fraudLabel() + ",\"timestamp\":" + arrival
                            + ",\"card_id\":\"" + new String(g.key(), java.nio.charset.StandardCharsets.UTF_8) + "\"}";
                    return new TransactionGenerator.Generated(g.eventId().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            json.getBytes(java.nio.charset.StandardCharsets.UTF_8), g.eventId(), true, g.fraudLabel(), arrival);
                })
                .toList();
    }

    private static long[] bits(double[] values) {
        return Arrays.stream(values).mapToLong(Double::doubleToRawLongBits).toArray();
    }
}
