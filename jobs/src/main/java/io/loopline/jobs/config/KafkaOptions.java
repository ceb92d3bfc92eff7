package io.loopline.jobs.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/** Where the jobs find Kafka and their topics. Every {@code kafka.*} key also goes unchanged to every Kafka client. */
public final class KafkaOptions {
    public static final String CLIENT_PREFIX = "kafka.";

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = key("bootstrap.servers").stringType().noDefaultValue()
            .withDescription("The Kafka brokers, host:port[,host:port...]. Required.");
    public static final ConfigOption<String> GROUP_ID = key("group.id").stringType().noDefaultValue()
            .withDescription("The consumer group of the job's sources (loopline-serving, loopline-learning when not set).");
    public static final ConfigOption<Duration> STARTUP_TIMEOUT = key("startup.timeout").durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("How long start-up waits for Kafka (topic check and creation) before it fails with the reason.");
    public static final ConfigOption<Integer> PARTITIONS = key("topics.partitions").intType().defaultValue(2)
            .withDescription("Partitions of the topics the job creates when they are missing (models and dead letters get one).");
    public static final ConfigOption<String> EVENTS = topic("events", "The raw events the serving job scores.");
    public static final ConfigOption<String> PREDICTIONS = topic("predictions", "One prediction per event, naming the model version.");
    public static final ConfigOption<String> FEATURE_LOG = topic("feature-log", "The served feature vectors the learning job joins with labels.");
    public static final ConfigOption<String> FEATURES = topic("features",
            "Without model.name, the serving job computes features only and writes the feature vectors here, unscored.");
    public static final ConfigOption<String> SHADOW_LOG = topic("shadow-log", "A shadow version's scores of the served events.");
    public static final ConfigOption<String> MODELS = topic("models", "Model announcements (compacted): which version serves, is a shadow or a canary.");
    public static final ConfigOption<String> DEAD_LETTERS = topic("dead-letters", "Malformed or late input, with the reason.");
    public static final ConfigOption<String> LABELS = topic("labels", "Labels ({eventId, label, timestamp}; with the entity for label-history features).");
    public static final ConfigOption<String> DRIFT = topic("drift", "The learning job's reports: metrics, drift statistics, change points, learning events.");

    private KafkaOptions() {}

    private static ConfigOption<String> topic(String name, String description) {
        return key("topics." + name).stringType().defaultValue(name).withDescription(description);
    }
}
