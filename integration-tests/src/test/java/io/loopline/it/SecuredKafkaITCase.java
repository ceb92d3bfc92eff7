package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.jobs.config.SpecLoader;
import io.loopline.synthetic.TransactionGenerator;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.config.JobConfig;
import io.loopline.jobs.ServingJobFromConfig;
import io.loopline.jobs.config.KafkaOptions;
import io.loopline.jobs.learning.LearningJobFromConfig;
import io.loopline.kafka.KafkaConnection;
import io.loopline.kafka.KafkaTopics;
import io.loopline.kafka.ModelAnnouncements;
import io.loopline.local.LocalKafka;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.training.BinaryClassifier;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.model.ModelDraft;
import io.loopline.state.model.ModelMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local broker with SASL_PLAINTEXT and SCRAM-SHA-256: clients without the login, or with a wrong
 * password, are turned away; the serving job built from a config whose {@code kafka.*} keys carry the
 * login reads events and announcements, writes predictions, feature log and dead letters, and creates
 * its topics, all through authenticated clients.
 */
class SecuredKafkaITCase {
    private static final int EVENTS = 600;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @Test
    void everyClientLogsInWithTheConfiguredScramSettings(@TempDir Path dir) throws Exception {
        var user = new LocalKafka.ScramUser("loopline", "s3cret-pw");
        try (LocalKafka broker = LocalKafka.start(LocalKafka.Settings.defaults().withScram(user))) {
            KafkaConnection kafka = broker.connection();
            assertThatThrownBy(() -> KafkaTopics.ensure(KafkaConnection.of(broker.bootstrapServers()), Map.of("probe", 1), Set.of(), Duration.ofSeconds(5)))
                    .as("a client without a login").isInstanceOf(IllegalStateException.class);
            var wrongPassword = new KafkaConnection(broker.bootstrapServers(), new LocalKafka.ScramUser("loopline", "wrong-pw").clientProperties());
            assertThatThrownBy(() -> KafkaTopics.ensure(wrongPassword, Map.of("probe", 1), Set.of(), Duration.ofSeconds(10)))
                    .as("a wrong password").hasMessageContaining("Authentication failed").hasMessageNotContaining("wrong-pw");

            FeatureSpec spec = SpecLoader.load("transactions");
            Path storeDir = dir.resolve("models");
            var store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(storeDir.toUri()));
            BinaryClassifier net = BinaryClassifier.create(spec.dimension(), new NetworkSettings(List.of(4), "tanh", 0.01, 0, 1, 8, 1));
            ModelMetadata v1 = store.publish(new ModelDraft("fraud", null, BinaryClassifier.FORMAT, spec.name(), spec.columnNames(), null, null, 1,
                    Map.of()), net.toBytes());

            Map<String, String> config = new LinkedHashMap<>();
            config.put("bootstrap.servers", broker.bootstrapServers());
            kafka.clientProperties().forEach((k, v) -> config.put(KafkaOptions.CLIENT_PREFIX + k, v));
            config.put("spec", "transactions");
            config.put("profile", writeNeutralProfile(spec, dir).toUri().toString());
            config.put("model.name", "fraud");
            config.put("model.store", storeDir.toUri().toString());
            config.put("group.id", "it-secured");
            StringBuilder text = new StringBuilder();
            config.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));

            var env = StreamExecutionEnvironment.getExecutionEnvironment(
                    LocalEnvironments.streamingConfiguration(2, dir.resolve("checkpoints"), Duration.ofMillis(500)));
            ServingJobFromConfig.build(JobConfig.read(Files.writeString(dir.resolve("serving.properties"), text)), env);
            JobClient job = env.executeAsync("secured-serving-it");
            try {
                ModelAnnouncements.announce(kafka, "models", store, v1);
                var generator = new TransactionGenerator(5, 100, 0.02, 1_700_000_000_000L);
                List<TransactionGenerator.Generated> events = new ArrayList<>();
                for (int i = 0; i < EVENTS; i++) {
                    events.add(generator.next());
                }
                TestProducer.write(kafka, "events", events);
                long valid = events.stream().filter(TransactionGenerator.Generated::valid).count();
                long malformed = EVENTS - valid;
                assertThat(malformed).isPositive();

                int[] committed = new int[2]; // predictions, dead letters
                Await.result(Duration.ofSeconds(120), Duration.ofMillis(500), () -> {
                    assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
                    committed[0] = CommittedRecords.readAll(kafka, "predictions", Duration.ofSeconds(30)).size();
                    committed[1] = CommittedRecords.readAll(kafka, "dead-letters", Duration.ofSeconds(30)).size();
                    return committed[0] >= valid && committed[1] >= malformed ? Optional.of(committed) : Optional.empty();
                }, () -> committed[0] + " of " + valid + " predictions and " + committed[1] + " of " + malformed + " dead letters committed");
                assertThat(committed[0]).as("predictions committed through SASL").isEqualTo(valid);
                assertThat(committed[1]).as("dead letters committed through SASL").isEqualTo(malformed);
                var first = new ObjectMapper().readTree(CommittedRecords.readAll(kafka, "predictions", Duration.ofSeconds(30)).get(0).value());
                assertThat(first.path("modelVersion").asLong()).isEqualTo(v1.version());
            } finally {
                Await.cancelled(job);
            }
        }
    }

    static Path writeNeutralProfile(FeatureSpec spec, Path dir) throws Exception {
        var json = new ObjectMapper().createObjectNode();
        json.put("formatVersion", 1).put("spec", spec.name()).put("rows", 1);
        spec.columnNames().forEach(json.putArray("columns")::add);
        ServingJobExactlyOnceITCase.neutralFit(spec).toJson(json.putObject("fit"));
        return Files.write(dir.resolve("profile.json"), new ObjectMapper().writeValueAsBytes(json));
    }
}
