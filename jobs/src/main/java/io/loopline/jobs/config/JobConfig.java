package io.loopline.jobs.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.util.TimeUtils;

/**
 * A job's settings from a properties file ({@code --config path}), for {@code flink run}: Kafka,
 * topics, feature spec, profile, model store. Every error names the file and the key; an unknown
 * key is an error (a typo must not silently fall back to a default). Cluster settings (state backend,
 * checkpoints, restart strategy) are not here: they come from the cluster's config.yaml.
 */
public final class JobConfig {
    private final Properties values;
    private final String source;
    private final Set<String> known = new TreeSet<>();

    private JobConfig(Properties values, String source) {
        this.values = values;
        this.source = source;
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
        Properties values = new Properties();
        java.util.List<String> sources = new java.util.ArrayList<>();
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--config")) {
                Path file = Path.of(args[i + 1]);
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("--config: " + file.toAbsolutePath() + " is not a file");
                }
                values.putAll(read(file).values);
                sources.add(file.toString());
                i++;
            }
        }
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("usage: --config <job.properties> [--config <secrets.properties>] (see deploy/jobs/*.properties)");
        }
        return new JobConfig(values, String.join(" + ", sources));
    }

    public String required(String key) {
        known.add(key);
        String value = values.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(source + ": " + key + " is required");
        }
        return value.trim();
    }

    public String get(String key, String fallback) {
        known.add(key);
        String value = values.getProperty(key);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    public int getInt(String key, int fallback) {
        String value = get(key, null);
        try {
            return value == null ? fallback : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": " + key + " must be an integer, got '" + value + "'");
        }
    }

    public double getDouble(String key, double fallback) {
        String value = get(key, null);
        try {
            return value == null ? fallback : Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": " + key + " must be a number, got '" + value + "'");
        }
    }

    public Duration getDuration(String key, Duration fallback) {
        String value = get(key, null);
        try {
            return value == null ? fallback : TimeUtils.parseDuration(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + key + " must be a duration (e.g. 500ms, 5s, 30min), got '" + value + "'");
        }
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
