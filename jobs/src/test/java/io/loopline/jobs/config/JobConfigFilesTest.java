package io.loopline.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings from a ConfigMap and credentials from a Secret: two --config files, the later one winning. */
class JobConfigFilesTest {
    @Test
    void aLaterFileOverridesAnEarlierOneAndErrorsNameBoth(@TempDir Path dir) throws Exception {
        Path settings = Files.writeString(dir.resolve("serving.properties"), "bootstrap.servers=kafka:9092\nkafka.sasl.jaas.config=placeholder\n");
        Path secrets = Files.writeString(dir.resolve("kafka-secrets.properties"), "kafka.sasl.jaas.config=ScramLoginModule required password=\"s3cret\";\n");
        JobConfig config = JobConfig.fromArgs(new String[] {"--config", settings.toString(), "--config", secrets.toString()});
        assertThat(config.required("bootstrap.servers")).isEqualTo("kafka:9092");
        assertThat(config.required("kafka.sasl.jaas.config")).contains("s3cret");
        assertThatThrownBy(() -> config.required("spec")).hasMessageContaining(settings + " + " + secrets).hasMessageContaining("spec is required");
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> JobConfig.fromArgs(new String[] {"--config", dir.resolve("nope.properties").toString()}))
                .hasMessageContaining("--config").hasMessageContaining("nope.properties");
    }
}
