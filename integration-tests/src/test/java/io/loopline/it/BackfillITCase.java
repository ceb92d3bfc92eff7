package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.jobs.config.SpecLoader;
import io.loopline.synthetic.HistoryWriter;
import io.loopline.synthetic.TransactionGenerator;
import io.loopline.io.EventSources;
import io.loopline.io.InputFormat;
import io.loopline.io.TrainingSetCsv;
import io.loopline.jobs.backfill.BackfillJob;
import io.loopline.jobs.backfill.BackfillProgress;
import io.loopline.kafka.KafkaTopics;
import io.loopline.local.LocalKafka;
import io.loopline.operators.features.spec.FeatureSpec;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The backfill writes a training set, a reference profile and dead letters, from files and from Kafka. */
class BackfillITCase {
    private static final int PARALLELISM = 2;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ELEC2 = Path.of("..", "..", "shared", "data", "elec2", "elec2.csv");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(PARALLELISM).build());

    private static BackfillJob.Result backfill(EventSources.BoundedInput input, FeatureSpec spec, Path out) throws Exception {
        return new BackfillJob(input, spec, new org.apache.flink.core.fs.Path(out.toUri()), new BackfillJob.Settings(PARALLELISM, 128, 10, false))
                .run(BackfillProgress.NONE);
    }

    private static EventSources.BoundedInput file(Path path, InputFormat format, FeatureSpec spec) {
        return EventSources.files(List.of(new org.apache.flink.core.fs.Path(path.toUri())), format, spec.csv());
    }

    @Test
    void transactionsFromAFileAndFromKafkaGiveTheSameTrainingSet(@TempDir Path dir) throws Exception {
        FeatureSpec spec = SpecLoader.load("transactions");
        Path events = dir.resolve("history.jsonl");
        List<TransactionGenerator.Generated> written;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(events))) {
            written = HistoryWriter.write(new TransactionGenerator(5, 1000, 0.01, 1_767_225_600_000L, true), 20_000, Duration.ofSeconds(1), 5, out);
        }
        long malformed = written.stream().filter(g -> !g.valid()).count();
        assertThat(malformed).isPositive();

        BackfillJob.Result fromFile = backfill(file(events, InputFormat.JSONL, spec), spec, dir.resolve("from-file"));

        assertThat(fromFile.rows()).isEqualTo(written.size() - malformed);
        assertThat(fromFile.deadLetters()).isEqualTo(malformed);
        assertThat(Files.exists(dir.resolve("from-file").resolve(BackfillJob.SUCCESS_FILE))).isTrue();
        List<String> expectedHeader = new ArrayList<>(TrainingSetCsv.LEADING_COLUMNS);
        expectedHeader.addAll(spec.columnNames());
        assertThat(TrainingSets.header(dir.resolve("from-file"))).isEqualTo(expectedHeader);
        Map<String, double[]> trainingSet = TrainingSets.read(dir.resolve("from-file"));
        assertThat(trainingSet).hasSize((int) fromFile.rows());

        JsonNode profile = JSON.readTree(dir.resolve("from-file").resolve(BackfillJob.PROFILE_FILE).toFile());
        assertThat(profile.path("rows").asLong()).isEqualTo(fromFile.rows());
        assertThat(profile.path("dimension").asInt()).isEqualTo(spec.dimension());
        JsonNode amount = profile.path("features").path("amount_log");
        assertThat(amount.path("mean").asDouble()).as("standardized").isCloseTo(0.0, within(1e-6));
        assertThat(amount.path("std").asDouble()).isCloseTo(1.0, within(1e-6));
        assertThat(amount.path("quantileEdges").size()).isEqualTo(9);
        long binned = 0;
        for (JsonNode c : amount.path("binCounts")) {
            binned += c.asLong();
        }
        assertThat((double) binned).isCloseTo(fromFile.rows(), within(fromFile.rows() * 0.01));
        long frauds = written.stream().filter(g -> g.valid() && g.fraudLabel() == 1).count();
        assertThat(profile.path("label").path("values").path("1").asLong()).isEqualTo(frauds);
        assertThat(profile.path("fit").path("vocabularies").path("merchant").size()).isEqualTo(8);
        assertThat(profile.path("categorical").path("country").size()).isEqualTo(8);

        List<String> reasons = new ArrayList<>();
        try (Stream<Path> parts = Files.list(dir.resolve("from-file").resolve(BackfillJob.DEAD_LETTER_DIR))) {
            for (Path part : parts.toList()) {
                for (String line : Files.readAllLines(part)) {
                    JsonNode d = JSON.readTree(line);
                    reasons.add(d.path("reason").asText());
                    assertThat(d.path("source").asText()).startsWith("history.jsonl:");
                    assertThat(d.path("rawBase64").asText()).isNotEmpty();
                }
            }
        }
        assertThat(reasons).hasSize((int) malformed).allMatch(r -> List.of("malformed-json", "missing-field", "wrong-type", "non-finite").contains(r));

        // The same history from a bounded Kafka range: the same rows, bit for bit.
        try (LocalKafka kafka = LocalKafka.start()) {
            KafkaTopics.ensure(kafka.bootstrapServers(), Map.of("history", 2), Duration.ofSeconds(30));
            TestProducer.write(kafka.bootstrapServers(), "history", written);
            BackfillJob.Result fromKafka = backfill(EventSources.kafkaRange(kafka.bootstrapServers(), "history", "it-backfill", "earliest", "latest"),
                    spec, dir.resolve("from-kafka"));
            assertThat(fromKafka.rows()).isEqualTo(fromFile.rows());
            assertThat(fromKafka.fit()).isEqualTo(fromFile.fit());
            Map<String, double[]> kafkaSet = TrainingSets.read(dir.resolve("from-kafka"));
            assertThat(kafkaSet.keySet()).isEqualTo(trainingSet.keySet());
            trainingSet.forEach((id, values) -> assertThat(Arrays.equals(values, kafkaSet.get(id))).as(id).isTrue());
        }
    }

    @Test
    void aNonEmptyOutputIsRefusedUnlessOverwriteIsAsked(@TempDir Path dir) throws Exception {
        FeatureSpec spec = SpecLoader.load("transactions");
        Path events = dir.resolve("h.jsonl");
        Files.writeString(events, "{\"event_id\":\"a\",\"card_id\":\"c\",\"ts\":1,\"amount\":1,\"merchant_category\":\"x\",\"country\":\"y\"}\n");
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("keep.txt"), "x");
        assertThatThrownBy(() -> backfill(file(events, InputFormat.JSONL, spec), spec, out))
                .hasMessageContaining("--output")
                .hasMessageContaining("not empty");
        assertThat(Files.exists(out.resolve("keep.txt"))).isTrue();
    }

    @Test
    void elec2BackfillsWithRowIdsRowTimesAndTextLabels(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(ELEC2), "skipped: " + ELEC2.toAbsolutePath() + " is absent (the shared data sets are not here)");
        FeatureSpec spec = SpecLoader.load("elec2");

        BackfillJob.Result result = backfill(file(ELEC2, InputFormat.CSV, spec), spec, dir.resolve("elec2"));

        assertThat(result.rows()).isEqualTo(45_312);
        assertThat(result.deadLetters()).isZero();
        JsonNode profile = JSON.readTree(dir.resolve("elec2").resolve(BackfillJob.PROFILE_FILE).toFile());
        // DOWN is 57.5 % of Elec2 (shared/data/README.md); UP = 1, so the label mean is the UP share.
        assertThat(profile.path("label").path("mean").asDouble()).isCloseTo(0.4246, within(0.001));
        assertThat(profile.path("eventTimeRange").path("from").asText()).isEqualTo("1996-05-07T00:00:00Z");
        assertThat(profile.path("fit").path("vocabularies").path("day").size()).isEqualTo(7);
        Map<String, double[]> rows = TrainingSets.read(dir.resolve("elec2"));
        int mean1d = spec.columnNames().indexOf("nswprice_1d_mean");
        assertThat(rows.get("1")[mean1d]).as("the first row has no history: imputed mean, standardized").isFinite();
        assertThat(rows.get("49")[mean1d]).isNotEqualTo(rows.get("48")[mean1d]);
    }
}
