package io.loopline.local;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the folder holding the broker's own jars ({@code kafka-broker/target/lib}, made by {@code
 * mvn package}). Looked up in this order: the {@code loopline.kafka.lib} system property, the
 * {@code LOOPLINE_KAFKA_LIB} environment variable, then {@code kafka-broker/target/lib} in the
 * working directory or any parent, then next to the running jar's checkout.
 */
public final class BrokerClasspath {
    public static final String PROPERTY = "loopline.kafka.lib";
    public static final String ENVIRONMENT = "LOOPLINE_KAFKA_LIB";
    private static final String BROKER_MAIN_JAR = "loopline-kafka-broker.jar";
    private static final Path RELATIVE = Path.of("kafka-broker", "target", "lib");

    private BrokerClasspath() {}

    public static Path locate() {
        List<Path> tried = new ArrayList<>();
        String configured = System.getProperty(PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(ENVIRONMENT);
        }
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured).toAbsolutePath();
            return validate(dir).orElseThrow(() -> missing(List.of(dir)));
        }
        for (Path start : startingPoints()) {
            for (Path p = start; p != null; p = p.getParent()) {
                Path candidate = p.resolve(RELATIVE);
                tried.add(candidate);
                Optional<Path> valid = validate(candidate);
                if (valid.isPresent()) {
                    return valid.get();
                }
            }
        }
        throw missing(tried);
    }

    /** The folder if it holds the broker jars and our launcher jar. */
    public static Optional<Path> validate(Path dir) {
        if (!Files.isRegularFile(dir.resolve(BROKER_MAIN_JAR))) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            boolean hasBroker = files.anyMatch(f -> f.getFileName().toString().startsWith("kafka_2.13-"));
            return hasBroker ? Optional.of(dir) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static List<Path> startingPoints() {
        List<Path> starts = new ArrayList<>();
        starts.add(Path.of("").toAbsolutePath());
        try {
            var location = BrokerClasspath.class.getProtectionDomain().getCodeSource().getLocation();
            if (location != null) {
                starts.add(Path.of(location.toURI()).toAbsolutePath());
            }
        } catch (URISyntaxException | SecurityException | IllegalArgumentException ignored) {
            // Only a hint; the working directory search still runs.
        }
        return starts;
    }

    private static BrokerStartException missing(List<Path> tried) {
        return new BrokerStartException(
                "Kafka broker jars not found (looked in " + tried.stream().distinct().limit(6).toList()
                        + "). Build them with `mvn -B -DskipTests package` in the Loopline checkout, or set -D"
                        + PROPERTY + " / $" + ENVIRONMENT + " to the folder holding kafka_2.13-*.jar and "
                        + BROKER_MAIN_JAR + ", or use an existing cluster with --bootstrap-servers.");
    }
}
