package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.jobs.config.SpecLoader;
import io.loopline.synthetic.TransactionGenerator;
import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.ServingJob;
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
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new model version announced on the {@code models} topic takes over in a running serving job:
 * no event is lost or scored twice (read_committed), every prediction names its version, and a bad
 * announcement is dead-lettered while serving goes on.
 */
class HotSwapITCase {
    private static final int PARALLELISM = 2;
    private static final int HALF = 4_000;
    private static final int PUSH = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(PARALLELISM).build());

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @Test
    void aNewVersionTakesOverWithoutLosingOrRescoringAnEvent(@TempDir Path dir) throws Exception {
        FeatureSpec spec = SpecLoader.load("transactions");
        String bootstrap = KAFKA.bootstrapServers();
        KafkaTopics.ensure(bootstrap, Map.of("events", PARALLELISM, "feature-log", PARALLELISM, "predictions", PARALLELISM, "dead-letters", 1,
                "models", 1), Duration.ofSeconds(30));
        var store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(dir.resolve("models").toUri()));
        ModelMetadata v1 = publish(store, spec, 1);
        ModelMetadata v2 = publish(store, spec, 2);
        ModelAnnouncements.announce(bootstrap, "models", store, v1);

        String storeRoot = dir.resolve("models").toUri().toString();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                LocalEnvironments.streamingConfiguration(PARALLELISM, dir.resolve("checkpoints"), Duration.ofMillis(500)));
        new ServingJob(KafkaIo.events(bootstrap, "events", "hot-swap", false), null,
                KafkaIo.deadLetters(bootstrap, "dead-letters", "hot-swap"), new ServingJob.Settings(spec, neutralFit(spec), 128))
                .withScoring(new ServingJob.Scoring(KafkaIo.models(bootstrap, "models", "hot-swap", false),
                        KafkaIo.predictions(bootstrap, "predictions", "hot-swap"), "fraud",
                        () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(storeRoot)), 64, 50, 100_000))
                .withFeatureLog(KafkaIo.featureLog(bootstrap, "feature-log", spec.name(), "hot-swap"))
                .build(env);
        JobClient job = env.executeAsync("hot-swap");
        try {
            // Each half is followed by a few events a minute later in event time: their watermark
            // releases the half from the feature operator's buffer, whatever the wall clock does.
            List<TransactionGenerator.Generated> first = events(new TransactionGenerator(21, 300, 0.0, 1_767_225_600_000L), HALF);
            List<TransactionGenerator.Generated> push1 = events(new TransactionGenerator(22, 300, 0.0, last(first) + 60_000), PUSH);
            TestProducer.write(bootstrap, "events", first);
            TestProducer.write(bootstrap, "events", push1);
            awaitPredictions(bootstrap, HALF, first);

            // A corrupt announcement first (wrong checksum): rejected, v1 keeps serving.
            ModelAnnouncements.announce(bootstrap, "models", store, new ModelMetadata(v2.name(), v2.version(), v2.parent(), v2.createdAt(),
                    v2.format(), v2.featureSpec(), v2.featureNames(), null, null, 0, Map.of(), "00" + v2.sha256().substring(2), v2.artifactBytes()));
            ModelAnnouncements.announce(bootstrap, "models", store, v2);
            List<TransactionGenerator.Generated> second = events(new TransactionGenerator(23, 300, 0.0, last(push1) + 1_000), HALF);
            List<TransactionGenerator.Generated> push2 = events(new TransactionGenerator(24, 300, 0.0, last(second) + 60_000), PUSH);
            awaitDeadLetter(bootstrap, "checksum-mismatch");
            TestProducer.write(bootstrap, "events", second);
            TestProducer.write(bootstrap, "events", push2);
            List<TransactionGenerator.Generated> both = new ArrayList<>(first);
            both.addAll(second);
            Map<String, Long> served = awaitPredictions(bootstrap, 2 * HALF, both);

            for (var g : first) {
                assertThat(served.get(g.eventId())).as(g.eventId()).isEqualTo(1L);
            }
            long byV2 = second.stream().filter(g -> served.get(g.eventId()) == 2L).count();
            assertThat(byV2).as("the second half is served by v2 once its announcement arrived").isGreaterThan(HALF / 2);
            assertSingleSwitchPerCard(both, served);
            assertFeatureLogMatches(bootstrap, served);
        } finally {
            Await.cancelled(job);
        }
    }

    /**
     * A card's events are featurized and scored by one subtask, in event-time order: so a card's
     * versions never go back from 2 to 1, or the swap was not a single point in that subtask.
     */
    private static void assertSingleSwitchPerCard(List<TransactionGenerator.Generated> events, Map<String, Long> served) throws Exception {
        Map<String, Long> latestVersionByCard = new HashMap<>();
        List<TransactionGenerator.Generated> byTime = new ArrayList<>(events);
        byTime.sort(java.util.Comparator.comparingLong(TransactionGenerator.Generated::timestamp));
        for (var g : byTime) {
            String card = new String(g.key(), StandardCharsets.UTF_8);
            long version = served.get(g.eventId());
            Long before = latestVersionByCard.put(card, version);
            assertThat(before == null || before <= version).as("%s: v%s after v%s", card, version, before).isTrue();
        }
    }

    /** The feature log holds each served event once, with the version and score of its prediction. */
    private static void assertFeatureLogMatches(String bootstrap, Map<String, Long> served) throws Exception {
        Map<String, Long> logged = new HashMap<>();
        for (var record : CommittedRecords.readAll(bootstrap, "feature-log", Duration.ofSeconds(30))) {
            JsonNode line = JSON.readTree(record.value());
            assertThat(logged.put(line.path("eventId").asText(), line.path("modelVersion").asLong())).as("logged twice").isNull();
            assertThat(line.path("values").size()).isEqualTo(SpecLoader.load("transactions").dimension());
        }
        assertThat(logged).containsAllEntriesOf(served);
    }

    private static ModelMetadata publish(FileSystemModelStore store, FeatureSpec spec, long seed) throws Exception {
        BinaryClassifier net = BinaryClassifier.create(spec.dimension(), new NetworkSettings(List.of(8), "relu", 0.01, 0, 1, 64, seed));
        return store.publish(new ModelDraft("fraud", seed == 1 ? null : 1L, BinaryClassifier.FORMAT, spec.name(), spec.columnNames(), null, null, 0,
                Map.of()), net.toBytes());
    }

    private static io.loopline.state.profile.FeatureFit neutralFit(FeatureSpec spec) {
        return ServingJobExactlyOnceITCase.neutralFit(spec);
    }

    private static List<TransactionGenerator.Generated> events(TransactionGenerator generator, int n) {
        List<TransactionGenerator.Generated> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(generator.next());
        }
        return events;
    }

    private static long last(List<TransactionGenerator.Generated> events) {
        return events.get(events.size() - 1).timestamp();
    }

    /** Event id to the version that scored it, once every expected event is scored (each id at most once). */
    private static Map<String, Long> awaitPredictions(String bootstrap, int expected, List<TransactionGenerator.Generated> required) throws Exception {
        int[] seen = new int[1];
        return Await.result(Duration.ofSeconds(90), Duration.ofMillis(500), () -> {
            Map<String, Long> versions = new HashMap<>();
            for (var record : CommittedRecords.readAll(bootstrap, "predictions", Duration.ofSeconds(30))) {
                JsonNode p = JSON.readTree(record.value());
                String id = new String(record.key(), StandardCharsets.UTF_8);
                assertThat(versions.put(id, p.path("modelVersion").asLong())).as("event %s scored twice", id).isNull();
                assertThat(p.path("score").asDouble()).isBetween(0.0, 1.0);
            }
            seen[0] = versions.size();
            if (!required.stream().allMatch(g -> versions.containsKey(g.eventId()))) {
                return Optional.empty();
            }
            assertThat(versions.size()).isBetween(expected, expected + 2 * PUSH);
            return Optional.of(versions);
        }, () -> {
            Map<String, Integer> reasons = new HashMap<>();
            for (var record : CommittedRecords.readAll(bootstrap, "dead-letters", Duration.ofSeconds(30))) {
                reasons.merge(JSON.readTree(record.value()).path("reason").asText(), 1, Integer::sum);
            }
            int features = CommittedRecords.readAll(bootstrap, "feature-log", Duration.ofSeconds(30)).size();
            return "only " + seen[0] + " of " + expected + " predictions committed; features committed: " + features + "; dead letters: " + reasons;
        });
    }

    private static void awaitDeadLetter(String bootstrap, String reason) throws Exception {
        Await.until(Duration.ofSeconds(60), () -> {
            for (var record : CommittedRecords.readAll(bootstrap, "dead-letters", Duration.ofSeconds(30))) {
                if (JSON.readTree(record.value()).path("reason").asText().equals(reason)) {
                    return true;
                }
            }
            return false;
        }, () -> "no dead letter with reason " + reason);
    }
}
