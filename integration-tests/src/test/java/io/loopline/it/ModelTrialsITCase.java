package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.cli.Loopline;
import io.loopline.jobs.config.SpecLoader;
import io.loopline.synthetic.TransactionGenerator;
import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.ServingJob;
import io.loopline.jobs.learning.LearningJob;
import io.loopline.kafka.KafkaTopics;
import io.loopline.kafka.ModelAnnouncements;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.training.BinaryClassifier;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.model.ModelDraft;
import io.loopline.state.model.ModelMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.MathUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trials on the real broker, driven by the CLI: a shadow is scored on every event and evaluated
 * against the labels without serving anything; a canary serves its share of the cards, the same
 * cards throughout; promoting the challenger ends the trial and it serves everything.
 */
class ModelTrialsITCase {
    private static final int PARALLELISM = 2;
    private static final int PHASE = 1_500;
    private static final int PUSH = 20;
    private static final double CANARY_SHARE = 0.5;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2 * PARALLELISM).build());

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    private long clock = 1_767_225_600_000L;
    private int seed = 100;

    @Test
    void aShadowIsEvaluatedWithoutServingACanaryServesItsCardsAndPromotionEndsTheTrial(@TempDir Path dir) throws Exception {
        FeatureSpec spec = SpecLoader.load("transactions");
        String bootstrap = KAFKA.bootstrapServers();
        KafkaTopics.ensure(bootstrap, Map.of("events", PARALLELISM, "feature-log", PARALLELISM, "shadow-log", PARALLELISM, "predictions", PARALLELISM,
                "labels", PARALLELISM, "drift", 1, "dead-letters", 1, "models", 1), Duration.ofSeconds(30));
        Path storeDir = dir.resolve("models");
        String storeRoot = storeDir.toUri().toString();
        var store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(storeRoot));
        ModelMetadata v1 = publish(store, spec, 1);
        ModelMetadata v2 = publish(store, spec, 2);
        ModelAnnouncements.announce(bootstrap, "models", store, v1);
        assertThat(cli("models", "shadow", "fraud", "--store", storeRoot, "--version", "2", "--bootstrap-servers", bootstrap)).isZero();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                LocalEnvironments.streamingConfiguration(PARALLELISM, dir.resolve("checkpoints"), Duration.ofMillis(500)));
        new ServingJob(KafkaIo.events(bootstrap, "events", "trials", false), null,
                KafkaIo.deadLetters(bootstrap, "dead-letters", "trials"), new ServingJob.Settings(spec, ServingJobExactlyOnceITCase.neutralFit(spec), 128))
                .withScoring(new ServingJob.Scoring(KafkaIo.models(bootstrap, "models", "trials", false),
                        KafkaIo.predictions(bootstrap, "predictions", "trials"), "fraud",
                        () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(storeRoot)), 64, 20, 100_000))
                .withFeatureLog(KafkaIo.featureLog(bootstrap, "feature-log", spec.name(), "trials"))
                .withShadowLog(KafkaIo.shadowLog(io.loopline.kafka.KafkaConnection.of(bootstrap), "shadow-log", spec.name(), "trials"))
                .build(env);
        new LearningJob(KafkaIo.raw(bootstrap, "feature-log", "trials-learning"), KafkaIo.raw(bootstrap, "labels", "trials-learning"),
                KafkaIo.drift(bootstrap, "drift", "trials-learning"), KafkaIo.deadLetters(bootstrap, "dead-letters", "trials-learning"),
                LearningStreams.settings(Double.NaN, null))
                .withShadowLog(KafkaIo.raw(bootstrap, "shadow-log", "trials-learning"))
                .build(env);
        JobClient job = env.executeAsync("trials");
        try {
            // 1. shadow: every event is scored by v2 too, only v1 serves
            long probeDeadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (true) { // until the shadow runs on every subtask: the first events may have been scored before its announcement
                List<TransactionGenerator.Generated> probe = phase(bootstrap, 100);
                awaitPredictions(bootstrap, probe);
                Map<String, Long> logged = shadowLog(bootstrap);
                if (probe.stream().allMatch(g -> logged.containsKey(g.eventId()))) {
                    break;
                }
                assertThat(System.nanoTime()).as("the shadow started in time").isLessThan(probeDeadline);
            }
            List<TransactionGenerator.Generated> shadowPhase = phase(bootstrap, PHASE);
            Map<String, Prediction> served = awaitPredictions(bootstrap, shadowPhase);
            assertThat(versionsOf(shadowPhase, served)).containsOnly(1L);
            Map<String, Long> shadowed = shadowLog(bootstrap);
            for (var g : shadowPhase) {
                assertThat(shadowed.get(g.eventId())).as("shadow score of %s", g.eventId()).isEqualTo(2L);
            }
            // ... and evaluated against the labels on its own, apart from the served version
            JsonNode shadowAccuracy = awaitReport(bootstrap, r -> r.path("subject").asText().equals("shadow")
                    && r.path("statistic").asText().equals("accuracy"));
            assertThat(shadowAccuracy.path("modelVersion").asLong()).isEqualTo(2);
            assertThat(shadowAccuracy.path("count").asLong()).isBetween(250L, 500L);
            assertThat(shadowAccuracy.path("value").asDouble()).isBetween(0.0, 1.0);
            assertThat(awaitReport(bootstrap, r -> r.path("subject").asText().equals("model")).path("modelVersion").asLong()).isEqualTo(1);

            // 2. canary for half of the cards: the same cards, and only them, are served by v2
            assertThat(cli("models", "canary", "fraud", "--store", storeRoot, "--version", "2", "--share", String.valueOf(CANARY_SHARE),
                    "--bootstrap-servers", bootstrap)).isZero();
            probeUntil(bootstrap, p -> p.version == (canaryServes(p.entity) ? 2 : 1));
            List<TransactionGenerator.Generated> canaryPhase = phase(bootstrap, PHASE);
            served = awaitPredictions(bootstrap, canaryPhase);
            int canaryCards = 0;
            Map<String, Long> versionByCard = new HashMap<>();
            for (var g : canaryPhase) {
                String card = new String(g.key(), StandardCharsets.UTF_8);
                long expected = canaryServes(card) ? 2 : 1;
                Long before = versionByCard.put(card, served.get(g.eventId()).version);
                assertThat(served.get(g.eventId()).version).as("card %s", card).isEqualTo(expected);
                assertThat(served.get(g.eventId()).entity).isEqualTo(card);
                if (before == null && expected == 2) {
                    canaryCards++;
                }
            }
            assertThat(canaryCards).as("about half of the cards").isBetween(versionByCard.size() / 4, 3 * versionByCard.size() / 4);
            Map<String, Long> shadowedAfter = shadowLog(bootstrap);
            assertThat(canaryPhase).as("the canary replaced the shadow").noneMatch(g -> shadowedAfter.containsKey(g.eventId()));

            // 3. promote v2 (the latest version: announced as champion): the trial ends, v2 serves everything
            assertThat(cli("models", "promote", "fraud", "--store", storeRoot, "--version", "2", "--bootstrap-servers", bootstrap)).isZero();
            probeUntil(bootstrap, p -> p.version == 2);
            List<TransactionGenerator.Generated> promotedPhase = phase(bootstrap, PHASE);
            served = awaitPredictions(bootstrap, promotedPhase);
            assertThat(versionsOf(promotedPhase, served)).containsOnly(2L);
        } finally {
            Await.cancelled(job);
        }
    }

    private record Prediction(long version, String entity) {}

    private static boolean canaryServes(String card) {
        return MathUtils.murmurHash(card.hashCode()) / (double) (1L << 31) < CANARY_SHARE;
    }

    private static int cli(String... args) {
        return Loopline.commandLine().execute(args);
    }

    private static List<Long> versionsOf(List<TransactionGenerator.Generated> events, Map<String, Prediction> served) {
        return events.stream().map(g -> served.get(g.eventId()).version).toList();
    }

    /**
     * Writes {@code n} events with their labels, then a few a minute later in event time (their
     * watermark releases the phase from the feature operator, whatever the wall clock does).
     */
    private List<TransactionGenerator.Generated> phase(String bootstrap, int n) throws Exception {
        var generator = new TransactionGenerator(seed++, 200, 0.0, clock);
        List<TransactionGenerator.Generated> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(generator.next());
        }
        long last = events.get(n - 1).timestamp();
        var pusher = new TransactionGenerator(seed++, 200, 0.0, last + 60_000);
        List<TransactionGenerator.Generated> push = new ArrayList<>();
        for (int i = 0; i < PUSH; i++) {
            push.add(pusher.next());
        }
        clock = push.get(PUSH - 1).timestamp() + 1_000;
        TestProducer.write(bootstrap, "events", events);
        TestProducer.write(bootstrap, "events", push);
        LearningStreams.write(bootstrap, "labels", events.stream().map(g -> new LearningStreams.Keyed(-1, g.eventId().getBytes(StandardCharsets.UTF_8),
                ("{\"eventId\":\"" + g.eventId() + "\",\"label\":" + g.fraudLabel() + ",\"timestamp\":" + (g.timestamp() + 1000) + "}")
                        .getBytes(StandardCharsets.UTF_8))).toList());
        return events;
    }

    /**
     * Small phases until every prediction of one matches: the announcement has reached every scoring
     * subtask (100 events over 200 cards reach both).
     */
    private void probeUntil(String bootstrap, Predicate<Prediction> reached) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            List<TransactionGenerator.Generated> probe = phase(bootstrap, 100);
            Map<String, Prediction> served = awaitPredictions(bootstrap, probe);
            if (probe.stream().map(g -> served.get(g.eventId())).allMatch(reached)) {
                return;
            }
            assertThat(System.nanoTime()).as("the announcement reached scoring in time").isLessThan(deadline);
        }
    }

    /** Event id to its prediction, once each of {@code required} has one (no event scored twice). */
    private static Map<String, Prediction> awaitPredictions(String bootstrap, List<TransactionGenerator.Generated> required) throws Exception {
        long[] seen = new long[1];
        return Await.result(Duration.ofSeconds(90), Duration.ofMillis(500), () -> {
            Map<String, Prediction> served = new HashMap<>();
            for (var record : CommittedRecords.readAll(bootstrap, "predictions", Duration.ofSeconds(30))) {
                JsonNode p = JSON.readTree(record.value());
                String id = p.path("eventId").asText();
                assertThat(served.put(id, new Prediction(p.path("modelVersion").asLong(), p.path("entity").asText()))).as("%s scored twice", id).isNull();
            }
            seen[0] = required.stream().filter(g -> served.containsKey(g.eventId())).count();
            return required.stream().allMatch(g -> served.containsKey(g.eventId())) ? Optional.of(served) : Optional.empty();
        }, () -> seen[0] + " of the phase's " + required.size() + " predictions committed");
    }

    /** Event id to the version that scored it in the shadow log (each id at most once). */
    private static Map<String, Long> shadowLog(String bootstrap) throws Exception {
        Map<String, Long> logged = new HashMap<>();
        for (var record : CommittedRecords.readAll(bootstrap, "shadow-log", Duration.ofSeconds(30))) {
            JsonNode line = JSON.readTree(record.value());
            assertThat(logged.put(line.path("eventId").asText(), line.path("modelVersion").asLong())).as("shadow-logged twice").isNull();
        }
        return logged;
    }

    private static JsonNode awaitReport(String bootstrap, Predicate<JsonNode> wanted) throws Exception {
        JsonNode[] found = {null};
        Await.until(Duration.ofSeconds(90), () -> {
            for (var record : CommittedRecords.readAll(bootstrap, "drift", Duration.ofSeconds(30))) {
                JsonNode report = JSON.readTree(record.value());
                if (wanted.test(report)) {
                    found[0] = report;
                    return true;
                }
            }
            return false;
        }, () -> "the report did not arrive in time");
        return found[0];
    }

    private static ModelMetadata publish(FileSystemModelStore store, FeatureSpec spec, long seed) throws Exception {
        BinaryClassifier net = BinaryClassifier.create(spec.dimension(), new NetworkSettings(List.of(8), "relu", 0.01, 0, 1, 64, seed));
        return store.publish(new ModelDraft("fraud", seed == 1 ? null : 1L, BinaryClassifier.FORMAT, spec.name(), spec.columnNames(), null, null, 0,
                Map.of()), net.toBytes());
    }
}
