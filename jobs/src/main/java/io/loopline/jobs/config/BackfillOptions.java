package io.loopline.jobs.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import org.apache.flink.configuration.ConfigOption;

/** The backfill: history in, training set, reference profile and (optionally) the serving job's initial state out. */
public final class BackfillOptions {
    public static final ConfigOption<String> INPUT = key("input").stringType().noDefaultValue()
            .withDescription("History files or folders, comma-separated, on any Flink file system. Required.");
    public static final ConfigOption<String> INPUT_FORMAT = key("input.format").stringType().defaultValue("auto")
            .withDescription("jsonl, csv or auto (by the first input's name).");
    public static final ConfigOption<String> OUTPUT = key("output").stringType().noDefaultValue()
            .withDescription("The folder for the training set, profile.json and dead letters; client and cluster must both reach it. Required.");
    public static final ConfigOption<Boolean> OVERWRITE = key("overwrite").booleanType().defaultValue(false)
            .withDescription("Replace an existing output folder.");
    public static final ConfigOption<Integer> PARALLELISM = key("parallelism").intType().defaultValue(2)
            .withDescription("The backfill's parallelism.");
    public static final ConfigOption<Boolean> SAVEPOINT = key("savepoint").booleanType().defaultValue(false)
            .withDescription("Also write a savepoint of every entity's feature state (and label history) to warm-start serving.");
    public static final ConfigOption<Integer> PROFILE_BINS = key("profile.bins").intType().defaultValue(10)
            .withDescription("Quantile bins per feature in the reference profile.");

    private BackfillOptions() {}
}
