package io.loopline.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loopline.operators.retraining.TrainerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings from a ConfigMap and credentials from a Secret: two --config files, the later one winning. */
class JobConfigFilesTest {
    @Test
    void aLaterFileOverridesAnEarlierOneAndErrorsNameBoth(@TempDir Path dir) throws Exception {
        Path settings = Files.writeString(dir.resolve("serving.properties"), "bootstrap.servers=kafka:9092\nkafka.sasl.jaas.config=placeholder\n");
        Path secrets = Files.writeString(dir.resolve("kafka-secrets.properties"), "kafka.sasl.jaas.config=ScramLoginModule required password=\"s3cret\";\n");
        JobConfig config = JobConfig.fromArgs(new String[] {"--config", settings.toString(), "--config", secrets.toString()});
        assertThat(config.required(KafkaOptions.BOOTSTRAP_SERVERS)).isEqualTo("kafka:9092");
        assertThat(config.withPrefix(KafkaOptions.CLIENT_PREFIX).get("sasl.jaas.config")).contains("s3cret");
        assertThatThrownBy(() -> config.required(ServingOptions.SPEC)).hasMessageContaining(settings + " + " + secrets).hasMessageContaining("spec is required");
    }

    @Test
    void dynamicPropertiesOverrideTheFilesWhichOverrideTheClustersConfiguration(@TempDir Path dir) throws Exception {
        Path settings = Files.writeString(dir.resolve("learning.properties"), "retrain.mode=stateful\nretrain.cooldown=5min\n");
        Configuration cluster = new Configuration();
        cluster.set(TrainerOptions.COOLDOWN, Duration.ofMinutes(1));
        cluster.set(TrainerOptions.BUFFER_SIZE, 5000);
        cluster.setString("parallelism.default", "4"); // the cluster's own keys are not the job's business
        JobConfig config = JobConfig.fromArgs(new String[] {"--config", settings.toString(), "-Dretrain.mode=online", "-D", "gate.margin=0.01"}, cluster);
        assertThat(config.get(TrainerOptions.MODE)).isEqualTo("online");
        assertThat(config.get(TrainerOptions.GATE_MARGIN)).isEqualTo(0.01);
        assertThat(config.get(TrainerOptions.COOLDOWN)).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.get(TrainerOptions.BUFFER_SIZE)).isEqualTo(5000);
        assertThat(config.get(TrainerOptions.MIN_EXAMPLES)).as("the default").isEqualTo(200);
        config.rejectUnknownKeys();
    }

    @Test
    void aDynamicPropertyIsCheckedLikeAFileKey(@TempDir Path dir) throws Exception {
        JobConfig typo = JobConfig.fromArgs(new String[] {"-Dretrain.mood=online"}, new Configuration());
        typo.get(TrainerOptions.MODE);
        assertThatThrownBy(typo::rejectUnknownKeys).hasMessageContaining("-D").hasMessageContaining("unknown key 'retrain.mood'");
        JobConfig wrongType = JobConfig.fromArgs(new String[] {"-Dretrain.buffer-size=big"}, new Configuration());
        assertThatThrownBy(() -> wrongType.get(TrainerOptions.BUFFER_SIZE)).hasMessageContaining("retrain.buffer-size must be an integer, got 'big'");
        assertThatThrownBy(() -> JobConfig.fromArgs(new String[] {"-Dretrain.mode"}, new Configuration())).hasMessageContaining("key=value");
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> JobConfig.fromArgs(new String[] {"--config", dir.resolve("nope.properties").toString()}))
                .hasMessageContaining("--config").hasMessageContaining("nope.properties");
    }
}
