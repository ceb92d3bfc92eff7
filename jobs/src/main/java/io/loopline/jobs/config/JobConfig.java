package io.loopline.jobs.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

/**
 * A job's settings for {@code flink run}: Kafka, topics, feature spec, profile, model store, the
 * learning policy; each key is a {@link ConfigOption} of {@link KafkaOptions}, {@link ServingOptions},
 * {@link LearningOptions}, {@link io.loopline.operators.retraining.TrainerOptions} or {@link BackfillOptions}
 * (docs/configuration.md lists them). A key's value comes from, weakest first: the cluster's
 * configuration (its config.yaml, and {@code flink run -Dkey=value}), the {@code --config} files in
 * order, then the job's own {@code -Dkey=value} arguments. Every error names the source and the key;
 * an unknown key in a file or {@code -D} is an error (a typo must not silently fall back to a
 * default). The cluster's own settings (state backend, checkpoints, restart strategy) stay in its config.yaml.
 */
public final class JobConfig implements ReadableConfig {
    private final Properties values;
    private final Map<String, String> cluster;
    private final String source;
    private final Set<String> known = new TreeSet<>();

    private JobConfig(Properties values, Map<String, String> cluster, String source) {
        this.values = values;
        this.cluster = cluster;
        this.source = source;
    }

    private JobConfig(Properties values, String source) {
        this(values, Map.of(), source);
    }

    public static JobConfig read(Path file) throws IOException {
        Properties values = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            values.load(reader);
        }
        return new JobConfig(values, file.toString());
    }

    /**
     * The {@code --config} arguments of a job's main method. Several files are read in order, a later
     * one overriding an earlier one's keys: the settings from a ConfigMap, then the credentials
     * ({@code kafka.sasl.jaas.config}, truststore passwords) from a file mounted from a Secret.
     */
    public static JobConfig fromArgs(String[] args) throws IOException {
        return fromArgs(args, new Configuration());
    }

    /**
     * The job main's arguments, {@code --config FILE} (several: a later one overrides an earlier one's
     * keys, e.g. the settings from a ConfigMap, then the credentials from a Secret) and
     * {@code -Dkey=value}, over the keys of {@code clusterConfig} that are options of Loopline.
     */
    public static JobConfig fromArgs(String[] args, ReadableConfig clusterConfig) throws IOException {
        Properties values = new Properties();
        java.util.List<String> sources = new java.util.ArrayList<>();
        Properties dynamic = new Properties();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                Path file = Path.of(args[i + 1]);
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("--config: " + file.toAbsolutePath() + " is not a file");
                }
                values.putAll(read(file).values);
                sources.add(file.toString());
                i++;
            } else if (args[i].startsWith("-D")) {
                String setting = args[i].length() > 2 ? args[i].substring(2) : i + 1 < args.length ? args[++i] : "";
                int equals = setting.indexOf('=');
                if (equals < 1) {
                    throw new IllegalArgumentException("-D: expected key=value, got '" + setting + "'");
                }
                dynamic.setProperty(setting.substring(0, equals).trim(), setting.substring(equals + 1));
            }
        }
        if (sources.isEmpty() && dynamic.isEmpty()) {
            throw new IllegalArgumentException("usage: --config <job.properties> [--config <secrets.properties>] [-Dkey=value ...]"
                    + " (see deploy/jobs/*.properties and docs/configuration.md)");
        }
        values.putAll(dynamic);
        if (!dynamic.isEmpty()) {
            sources.add("-D");
        }
        Map<String, String> cluster = clusterConfig instanceof Configuration c ? c.toMap() : Map.of();
        return new JobConfig(values, cluster, String.join(" + ", sources));
    }

    /** The option's value, or its default (null when it has none). A value that does not parse names the key and the type wanted. */
    @Override
    public <T> T get(ConfigOption<T> option) {
        String key = option.key();
        known.add(key);
        String raw = values.getProperty(key);
        if (raw == null || raw.isBlank()) {
            raw = cluster.get(key);
        }
        if (raw == null || raw.isBlank()) {
            return option.hasDefaultValue() ? option.defaultValue() : null;
        }
        String value = raw.trim();
        try {
            return Configuration.fromMap(Map.of(key, value)).get(option);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + key + " must be " + OptionTypes.describe(option) + ", got '" + value + "'");
        }
    }

    @Override
    public <T> java.util.Optional<T> getOptional(ConfigOption<T> option) {
        return java.util.Optional.ofNullable(get(option));
    }

    /** The values given to this job (not the cluster's), by key. */
    @Override
    public Map<String, String> toMap() {
        Map<String, String> map = new java.util.TreeMap<>();
        values.stringPropertyNames().forEach(key -> map.put(key, values.getProperty(key)));
        return map;
    }

    /** Accepts the keys of the options declared in {@code holder} without reading them (settings of a mode that is off). */
    public void allow(Class<?> holder) {
        OptionTypes.declaredIn(holder).forEach(option -> known.add(option.key()));
    }

    /** The option's value; an error naming it when it has none. */
    public <T> T required(ConfigOption<T> option) {
        T value = get(option);
        if (value == null) {
            throw new IllegalArgumentException(source + ": " + option.key() + " is required");
        }
        return value;
    }

    /**
     * Every key under {@code prefix}, without it: for {@code kafka.}, the client settings passed to
     * every Kafka client (e.g. {@code kafka.security.protocol=SASL_SSL}).
     */
    public java.util.Map<String, String> withPrefix(String prefix) {
        java.util.Map<String, String> found = new java.util.TreeMap<>();
        for (String key : values.stringPropertyNames()) {
            if (key.startsWith(prefix) && key.length() > prefix.length()) {
                known.add(key);
                found.put(key.substring(prefix.length()), values.getProperty(key).trim());
            }
        }
        return found;
    }

    /** An error about one key, with what to do about it. */
    public IllegalArgumentException error(String key, String problem) {
        return new IllegalArgumentException(source + ": " + key + ": " + problem);
    }

    /** Call after reading every key: a key nobody asked for is a typo or a setting this job does not have. */
    public void rejectUnknownKeys() {
        for (String key : values.stringPropertyNames()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException(source + ": unknown key '" + key + "' (known here: " + known + ")");
            }
        }
    }
}
