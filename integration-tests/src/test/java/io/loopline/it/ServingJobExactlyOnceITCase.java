package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.jobs.config.SpecLoader;
import io.loopline.synthetic.TransactionGenerator;
import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.ServingJob;
import io.loopline.kafka.KafkaTopics;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.profile.FeatureFit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving topology on a real Kafka broker process and a MiniCluster at parallelism 2, with
 * RocksDB and checkpoints: a bounded input of N events, every valid one's feature vector committed
 * exactly once, every malformed one committed to dead-letters with its reason.
 */
class ServingJobExactlyOnceITCase {
    private static final int PARALLELISM = 2;
    private static final int EVENTS = 20_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(PARALLELISM)
                    .build());

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    /** Neutral statistics: this test is about delivery, not about the numbers. */
    static FeatureFit neutralFit(FeatureSpec spec) {
        Map<String, FeatureFit.NumericFit> numeric = new HashMap<>();
        spec.features().forEach(f -> numeric.put(f.name(), new FeatureFit.NumericFit(0, 0, 1, 0)));
        Map<String, List<String>> vocabularies = new HashMap<>();
        spec.features().forEach(f -> vocabularies.put(f.name(), List.of()));
        return new FeatureFit(numeric, vocabularies);
    }

    @Test
    void everyEventIsCommittedExactlyOnce(@TempDir Path checkpoints) throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        KafkaTopics.ensure(bootstrap, Map.of("events", PARALLELISM, "features", PARALLELISM, "dead-letters", 1), Duration.ofSeconds(30));
        Set<String> validIds = new HashSet<>();
        long malformed = produce(bootstrap, validIds);
        assertThat(validIds).hasSizeGreaterThan(EVENTS * 9 / 10);
        assertThat(malformed).isPositive();

        FeatureSpec spec = SpecLoader.load("transactions");
        Configuration conf = LocalEnvironments.streamingConfiguration(PARALLELISM, checkpoints, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        new ServingJob(
                KafkaIo.events(bootstrap, "events", "it-serving", true),
                KafkaIo.features(bootstrap, "features", spec.name(), "it-serving"),
                KafkaIo.deadLetters(bootstrap, "dead-letters", "it-serving"),
                new ServingJob.Settings(spec, neutralFit(spec), 128))
                .build(env);
        env.execute("serving-exactly-once-it");

        List<ConsumerRecord<byte[], byte[]>> features = CommittedRecords.readAtLeast(bootstrap, "features", validIds.size(), Duration.ofSeconds(60));
        List<ConsumerRecord<byte[], byte[]>> deadLetters = CommittedRecords.readAll(bootstrap, "dead-letters", Duration.ofSeconds(60));
        ObjectMapper json = new ObjectMapper();
        List<String> ids = features.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
        assertThat(ids).doesNotHaveDuplicates();
        Set<String> missing = new java.util.TreeSet<>(validIds);
        ids.forEach(missing::remove);
        Set<String> unexpected = new java.util.TreeSet<>(ids);
        unexpected.removeAll(validIds);
        // A missing event's dead letter (if any) says why it was not featurized.
        List<String> why = new java.util.ArrayList<>();
        for (var record : deadLetters) {
            String letter = new String(record.value(), StandardCharsets.UTF_8);
            if (missing.stream().limit(50).anyMatch(letter::contains)) {
                why.add(letter.length() > 400 ? letter.substring(0, 400) : letter);
            }
        }
        assertThat(missing).as("%d valid events without a committed feature vector (%d committed); their dead letters: %s",
                missing.size(), ids.size(), why.stream().limit(5).toList()).isEmpty();
        assertThat(unexpected).as("feature vectors of events that were not produced as valid").isEmpty();
        assertThat(json.readTree(features.get(0).value()).path("values").size()).isEqualTo(spec.dimension());

        assertThat(deadLetters).hasSize((int) malformed);
        for (var record : deadLetters) {
            var node = json.readTree(record.value());
            assertThat(node.path("reason").asText()).isIn("malformed-json", "missing-field", "wrong-type", "non-finite");
            assertThat(node.path("rawBase64").asText()).isNotEmpty();
            assertThat(node.path("source").asText()).startsWith("events-");
        }
    }

    private static long produce(String bootstrap, Set<String> validIds) throws Exception {
        var generator = new TransactionGenerator(7, 500, 0.01, 1_700_000_000_000L);
        List<TransactionGenerator.Generated> events = new java.util.ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            events.add(generator.next());
        }
        TestProducer.write(bootstrap, "events", events);
        events.stream().filter(TransactionGenerator.Generated::valid).forEach(g -> validIds.add(g.eventId()));
        return events.stream().filter(g -> !g.valid()).count();
    }
}
