package io.loopline.jobs.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.jobs.ServingJobFromConfig;
import io.loopline.jobs.learning.LearningJobFromConfig;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.profile.FeatureFit;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job started with a wrong config fails at once, and the message names the key and what to do. */
class JobConfigErrorsTest {
    @TempDir
    Path dir;

    private Map<String, String> serving;

    @BeforeEach
    void aValidServingConfig() throws IOException {
        serving = new LinkedHashMap<>();
        serving.put("bootstrap.servers", "127.0.0.1:" + closedPort());
        serving.put("spec", "transactions");
        serving.put("profile", writeProfile(SpecLoader.load("transactions")).toUri().toString());
        serving.put("model.name", "fraud");
        serving.put("model.store", dir.resolve("models").toUri().toString());
        serving.put("startup.timeout", "3s");
    }

    @Test
    void anUnknownKeyIsATypoNotADefault() {
        serving.put("scoring.batchsize", "64");
        assertServingFails("unknown key 'scoring.batchsize'", "scoring.batch-size");
    }

    @Test
    void aValueOfTheWrongTypeNamesItsKey() {
        serving.put("scoring.batch-size", "lots");
        assertServingFails("scoring.batch-size must be an integer, got 'lots'");
        serving.put("scoring.batch-size", "0");
        assertServingFails("scoring.batch-size: must be at least 1");
        serving.put("scoring.batch-size", "64");
        serving.put("scoring.max-batch-delay", "soon");
        assertServingFails("scoring.max-batch-delay must be a duration");
    }

    @Test
    void anUnknownDeliveryNamesTheKeyAndTheChoices() {
        serving.put("predictions.delivery", "best-effort");
        assertServingFails("predictions.delivery", "'best-effort' is not one of exactly-once, at-least-once");
    }

    @Test
    void aMissingRequiredKeyIsNamed() {
        serving.remove("model.store");
        assertServingFails("model.store is required");
    }

    @Test
    void kafkaSettingsLooplineControlsAreRefused() {
        serving.put("kafka.group.id", "mine");
        assertServingFails("kafka.group.id", "set by Loopline");
        serving.remove("kafka.group.id");
        serving.put("kafka.bootstrap.servers", "elsewhere:9092");
        assertServingFails("kafka.bootstrap.servers", "give the servers as bootstrap servers instead");
    }

    @Test
    void badPathsAndNamesAreNamedWithTheFix() throws IOException {
        serving.put("spec", "no-such-spec");
        assertServingFails("spec:", "neither a file nor a built-in spec");
        serving.put("spec", "elec2");
        assertServingFails("profile:", "run the backfill again");
        serving.put("spec", "transactions");
        serving.put("profile", dir.resolve("missing/profile.json").toUri().toString());
        assertServingFails("profile: cannot read", "run `loopline backfill` first");
        serving.put("profile", writeProfile(SpecLoader.load("transactions")).toUri().toString());
        serving.put("model.store", "nosuchscheme://bucket/models");
        assertServingFails("model.store: cannot use nosuchscheme://bucket/models", "s3://");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        serving.put("model.store", file.toUri().toString());
        assertServingFails("model.store:", "is a file, not a folder");
    }

    @Test
    void unreachableKafkaFailsAtStartUpNamingTheKey() {
        assertServingFails("bootstrap.servers: Kafka at 127.0.0.1:", "did not answer or refused within PT3S (startup.timeout)");
        serving.put("kafka.security.protocol", "SASL_PLAINTEXT");
        serving.put("kafka.sasl.mechanism", "SCRAM-SHA-256");
        serving.put("kafka.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"hunter2\";");
        assertThatThrownBy(() -> ServingJobFromConfig.build(config(serving), StreamExecutionEnvironment.getExecutionEnvironment()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bootstrap.servers: Kafka at 127.0.0.1:")
                .hasMessageContaining("(startup.timeout)")
                .hasMessageContaining("security.protocol=SASL_PLAINTEXT")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void theLearningJobChecksItsKeysToo() {
        Map<String, String> learning = learningBase();
        learning.put("retrain.mode", "sometimes");
        learning.put("model.store", serving.get("model.store"));
        assertThatThrownBy(() -> LearningJobFromConfig.build(config(learning), StreamExecutionEnvironment.getExecutionEnvironment()))
                .hasMessageContaining("retrain.mode: 'sometimes' is not off, stateful, stateless or online");
        learning.put("retrain.mode", "stateful");
        learning.remove("model.store");
        assertThatThrownBy(() -> LearningJobFromConfig.build(config(learning), StreamExecutionEnvironment.getExecutionEnvironment()))
                .hasMessageContaining("model.store: required when retrain.mode is stateful");
    }

    @Test
    void everyRetrainModeStartsFromAJobConfig() {
        for (String mode : List.of("off", "stateful", "stateless", "online")) {
            Map<String, String> learning = learningBase();
            learning.put("model.store", serving.get("model.store"));
            learning.put("startup.timeout", "3s");
            learning.put("retrain.mode", mode);
            // Every setting accepted: start-up gets as far as Kafka, which is not there.
            assertThatThrownBy(() -> LearningJobFromConfig.build(config(learning), StreamExecutionEnvironment.getExecutionEnvironment()))
                    .as(mode).hasMessageContaining("bootstrap.servers: Kafka at 127.0.0.1:");
        }
    }

    @Test
    void offAndNoneReadTheSameInAJobConfigAsOnTheCommandLine() {
        Map<String, String> learning = learningBase();
        learning.put("model.store", serving.get("model.store"));
        learning.put("startup.timeout", "3s");
        learning.put("retrain.mode", "stateful");
        learning.put("retrain.decay-margin", "off");
        learning.put("rollback.margin", "off");
        learning.put("retrain.on-drift", "none");
        learning.put("gate.guard-metric", "none");
        assertThatThrownBy(() -> LearningJobFromConfig.build(config(learning), StreamExecutionEnvironment.getExecutionEnvironment()))
                .hasMessageContaining("bootstrap.servers: Kafka at 127.0.0.1:");
        learning.put("retrain.decay-margin", "sometimes");
        assertThatThrownBy(() -> LearningJobFromConfig.build(config(learning), StreamExecutionEnvironment.getExecutionEnvironment()))
                .hasMessageContaining("retrain.decay-margin: must be a number or off, got 'sometimes'");
    }

    @Test
    void everyTrainerSettingOfTheCommandLineHasAKeyThatIsChecked() {
        Map<String, String> learning = learningBase();
        learning.put("model.store", serving.get("model.store"));
        learning.put("retrain.mode", "online");
        Map<String, String> invalid = Map.of("retrain.on-drift", "adwin,hunch", "retrain.decay-metric", "vibes",
                "retrain.cooldown-examples", "-1", "retrain.epochs", "0", "retrain.batch-size", "0", "retrain.batches-per-step", "0",
                "rollback.min-examples", "0", "online.batch-size", "65", "retrain.buffer-size", "1");
        invalid.forEach((key, value) -> {
            Map<String, String> bad = new LinkedHashMap<>(learning);
            bad.put(key, value);
            assertThatThrownBy(() -> LearningJobFromConfig.build(config(bad), StreamExecutionEnvironment.getExecutionEnvironment()))
                    .as(key).hasMessageContaining(key + ": ");
        });
    }

    @Test
    void aStatelessScratchNetworkIsCheckedByKey() {
        Map<String, String> learning = learningBase();
        learning.put("model.store", serving.get("model.store"));
        learning.put("retrain.mode", "stateless");
        learning.put("retrain.scratch-hidden", "32,wide");
        assertThatThrownBy(() -> LearningJobFromConfig.build(config(learning), StreamExecutionEnvironment.getExecutionEnvironment()))
                .hasMessageContaining("retrain.scratch-hidden: 'wide' is not a layer width");
    }

    @Test
    void theShippedJobConfigsUseOnlyKnownKeysWithValidValues() throws IOException {
        for (String job : List.of("serving", "learning")) {
            Map<String, String> shipped = new LinkedHashMap<>();
            var properties = new java.util.Properties();
            try (var in = Files.newBufferedReader(Path.of("..", "deploy", "jobs", job + ".properties"))) {
                properties.load(in);
            }
            properties.stringPropertyNames().forEach(k -> shipped.put(k, properties.getProperty(k)));
            // This machine's paths and a Kafka that is not there: everything else as shipped, so the start-up gets as far as Kafka.
            for (String key : List.of("bootstrap.servers", "profile", "model.store", "startup.timeout")) {
                shipped.put(key, serving.get(key));
            }
            assertThatThrownBy(() -> {
                if (job.equals("serving")) {
                    ServingJobFromConfig.build(config(shipped), StreamExecutionEnvironment.getExecutionEnvironment());
                } else {
                    LearningJobFromConfig.build(config(shipped), StreamExecutionEnvironment.getExecutionEnvironment());
                }
            }).as(job).hasMessageContaining("bootstrap.servers: Kafka at 127.0.0.1:");
        }
    }

    @Test
    void theShadowStageSettingsAreChecked() {
        Map<String, String> learning = learningBase();
        learning.put("model.store", serving.get("model.store"));
        learning.put("retrain.mode", "stateful");
        learning.put("gate.shadow-examples", "-5");
        assertThatThrownBy(() -> LearningJobFromConfig.build(config(learning), StreamExecutionEnvironment.getExecutionEnvironment()))
                .hasMessageContaining("gate.shadow-examples: must be at least 0, got -5");
        learning.put("gate.shadow-examples", "500");
        learning.put("gate.shadow-timeout", "a while");
        assertThatThrownBy(() -> LearningJobFromConfig.build(config(learning), StreamExecutionEnvironment.getExecutionEnvironment()))
                .hasMessageContaining("gate.shadow-timeout must be a duration");
    }

    @Test
    void theLabelIdlenessAndTheWaitAfterADriftAreChecked() {
        Map<String, String> learning = learningBase();
        learning.put("model.store", serving.get("model.store"));
        learning.put("retrain.mode", "stateful");
        learning.put("learning.labels-idle-after", "0s");
        assertThatThrownBy(() -> LearningJobFromConfig.build(config(learning), StreamExecutionEnvironment.getExecutionEnvironment()))
                .hasMessageContaining("learning.labels-idle-after: must be positive");
        learning.put("learning.labels-idle-after", "10s");
        learning.put("retrain.after-drift-examples", "-1");
        assertThatThrownBy(() -> LearningJobFromConfig.build(config(learning), StreamExecutionEnvironment.getExecutionEnvironment()))
                .hasMessageContaining("retrain.after-drift-examples: must be at least 0, got -1");
    }

    /** The learning job's required keys, pointing at this machine's profile and a Kafka that is not there. */
    private Map<String, String> learningBase() {
        Map<String, String> learning = new LinkedHashMap<>();
        learning.put("bootstrap.servers", serving.get("bootstrap.servers"));
        learning.put("profile", serving.get("profile"));
        return learning;
    }

    private void assertServingFails(String... fragments) {
        var thrown = assertThatThrownBy(() -> ServingJobFromConfig.build(config(serving), StreamExecutionEnvironment.getExecutionEnvironment()))
                .isInstanceOf(IllegalArgumentException.class);
        for (String fragment : fragments) {
            thrown.hasMessageContaining(fragment);
        }
    }

    private JobConfig config(Map<String, String> values) throws IOException {
        StringBuilder text = new StringBuilder();
        values.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        return JobConfig.read(Files.writeString(dir.resolve("job.properties"), text));
    }

    private Path writeProfile(FeatureSpec spec) throws IOException {
        Map<String, FeatureFit.NumericFit> numeric = new HashMap<>();
        spec.features().forEach(f -> numeric.put(f.name(), new FeatureFit.NumericFit(0, 0, 1, 0)));
        Map<String, List<String>> vocabularies = new HashMap<>();
        spec.features().forEach(f -> vocabularies.put(f.name(), List.of()));
        var json = new ObjectMapper().createObjectNode();
        json.put("formatVersion", 1).put("spec", spec.name()).put("rows", 1);
        spec.columnNames().forEach(json.putArray("columns")::add);
        new FeatureFit(numeric, vocabularies).toJson(json.putObject("fit"));
        return Files.write(dir.resolve("profile.json"), new ObjectMapper().writeValueAsBytes(json));
    }

    /** A port nothing listens on. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
