package io.loopline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KafkaClientOptionsTest {
    @CommandLine.Command(name = "holder")
    static final class Holder {
        @CommandLine.Mixin
        KafkaClientOptions kafka = new KafkaClientOptions();
    }

    @Test
    void aFileAndSinglePropertiesReachTheConnectionWithSecretsMasked(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("client.properties"), String.join("\n",
                "bootstrap.servers=ignored:9092",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p4ss\";"));
        var holder = new Holder();
        new CommandLine(holder).parseArgs("--kafka-config", file.toString(), "--kafka-property", "sasl.mechanism=SCRAM-SHA-256",
                "--kafka-property", "client.id=loopline-cli");
        var connection = holder.kafka.connection("broker:9093");

        assertThat(connection.properties()).containsEntry("bootstrap.servers", "broker:9093").containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-256").containsEntry("client.id", "loopline-cli");
        assertThat(connection.toString()).contains("security.protocol=SASL_SSL").doesNotContain("p4ss");
    }

    @Test
    void settingsLooplineControlsAreRefusedByName() {
        var holder = new Holder();
        new CommandLine(holder).parseArgs("--kafka-property", "isolation.level=read_uncommitted");
        assertThatThrownBy(() -> holder.kafka.connection("broker:9093"))
                .hasMessageContaining("--kafka-property/--kafka-config").hasMessageContaining("'isolation.level'");
    }
}
