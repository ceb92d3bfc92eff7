package io.loopline.cli;

import io.loopline.kafka.KafkaConnection;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/** Kafka client settings (security, timeouts, client ids) that every Kafka client of a command receives. */
public final class KafkaClientOptions {
    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client settings from a properties file (the client.properties your Kafka tools use: security.protocol,"
                    + " sasl.*, ssl.*), given to every Kafka client this command creates.")
    Path file;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "One Kafka client setting for every client this command creates; repeatable; wins over --kafka-config."
                    + " Example: --kafka-property security.protocol=SASL_SSL")
    Map<String, String> properties = new LinkedHashMap<>();

    public KafkaConnection connection(String bootstrapServers) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (file != null) {
            Properties fromFile = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                fromFile.load(reader);
            } catch (IOException e) {
                throw new IllegalArgumentException("--kafka-config: cannot read " + file.toAbsolutePath() + ": " + e.getMessage());
            }
            fromFile.stringPropertyNames().forEach(k -> settings.put(k, fromFile.getProperty(k).trim()));
            // Kafka tools' client.properties often name the servers too: the command's --bootstrap-servers decides.
            settings.remove("bootstrap.servers");
        }
        settings.putAll(properties);
        try {
            return new KafkaConnection(bootstrapServers, settings);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--kafka-property/--kafka-config: " + e.getMessage());
        }
    }
}
