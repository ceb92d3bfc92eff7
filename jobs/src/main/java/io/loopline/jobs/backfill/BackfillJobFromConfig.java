package io.loopline.jobs.backfill;

import static io.loopline.jobs.config.JobStartup.positive;
import static io.loopline.jobs.config.JobStartup.spec;

import io.loopline.io.EventSources;
import io.loopline.io.InputFormat;
import io.loopline.jobs.config.BackfillOptions;
import io.loopline.jobs.config.JobConfig;
import io.loopline.jobs.config.ServingOptions;
import io.loopline.operators.features.spec.FeatureSpec;
import java.util.List;

/** The backfill from its keys (deploy/jobs/backfill.properties, docs/configuration.md): what {@link BackfillJob#main} runs. */
public final class BackfillJobFromConfig {
    private BackfillJobFromConfig() {}

    /**
     * Keys of the backfill (deploy/jobs/backfill.properties): runs its two BATCH passes on the cluster
     * the client submits to and writes the training set, profile and dead letters (and the savepoint)
     * to {@code output}, which client and cluster must both reach (S3, HDFS, a shared folder).
     */
    public static BackfillJob.Result run(JobConfig config, java.io.PrintStream out) throws Exception {
        String specName = config.required(ServingOptions.SPEC);
        String inputs = config.required(BackfillOptions.INPUT);
        String format = config.get(BackfillOptions.INPUT_FORMAT);
        String output = config.required(BackfillOptions.OUTPUT);
        boolean overwrite = config.get(BackfillOptions.OVERWRITE);
        int parallelism = positive(config, BackfillOptions.PARALLELISM);
        int maxParallelism = positive(config, ServingOptions.MAX_PARALLELISM);
        boolean savepoint = config.get(BackfillOptions.SAVEPOINT);
        int bins = positive(config, BackfillOptions.PROFILE_BINS);
        config.rejectUnknownKeys();

        FeatureSpec spec = spec(config, specName);
        List<org.apache.flink.core.fs.Path> paths = java.util.Arrays.stream(inputs.split(",")).map(String::trim).filter(p -> !p.isEmpty())
                .map(org.apache.flink.core.fs.Path::new).toList();
        if (paths.isEmpty()) {
            throw config.error(BackfillOptions.INPUT.key(), "no path given");
        }
        InputFormat inputFormat;
        if (format.equals("auto")) {
            inputFormat = InputFormat.guess(paths.get(0).getName());
        } else {
            try {
                inputFormat = InputFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw config.error(BackfillOptions.INPUT_FORMAT.key(), "must be jsonl, csv or auto, got '" + format + "'");
            }
        }
        BackfillJob.Settings settings;
        try {
            settings = new BackfillJob.Settings(parallelism, maxParallelism, bins, overwrite, savepoint);
        } catch (IllegalArgumentException e) {
            throw config.error(BackfillOptions.PROFILE_BINS.key(), e.getMessage().replace("--bins ", ""));
        }
        var input = EventSources.files(paths, inputFormat, spec.csv());
        out.printf("Backfill of %s with spec '%s' (%d feature columns) into %s%n", input.description(), spec.name(), spec.dimension(), output);
        BackfillJob.Result result = new BackfillJob(input, spec, new org.apache.flink.core.fs.Path(output), settings)
                .run(BackfillProgress.NONE);
        out.printf(java.util.Locale.ROOT, "Done in %.1f s: %,d training rows, %,d dead letters%n", result.seconds(), result.rows(), result.deadLetters());
        return result;
    }

}
