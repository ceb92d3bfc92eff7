package io.loopline.cli;

import io.loopline.jobs.config.SpecLoader;
import io.loopline.io.EventSources;
import io.loopline.jobs.config.BackfillOptions;
import io.loopline.jobs.config.KafkaOptions;
import io.loopline.jobs.config.ServingOptions;
import org.apache.flink.configuration.Configuration;
import io.loopline.io.InputFormat;
import io.loopline.jobs.backfill.BackfillJob;
import io.loopline.operators.features.spec.FeatureSpec;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.core.fs.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "backfill",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the feature pipeline as a Flink BATCH job over history and writes, into --output:",
            "  training/part-*.csv   one row per event: its features as of that event (point in time) and its label",
            "  profile.json          the reference profile: learned statistics, per-feature quantile bins, frequencies, label prior",
            "  dead-letters/*.jsonl  events that could not be used, with the reason",
            "  savepoint/            with --savepoint: the feature state at the end of history",
            "  _SUCCESS              written last",
        },
        sortOptions = false)
final class BackfillCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--input", split = ",", description = "Event files or folders, on any Flink FileSystem (file:, s3:, hdfs:); comma-separated.")
        List<String> files;

        @Option(names = "--kafka-topic", description = "Read a bounded offset range of this topic instead of files.")
        String topic;
    }

    @Option(names = "--start", defaultValue = "earliest", description = "With --kafka-topic: earliest, committed, or partition:offset,... (default: ${DEFAULT-VALUE}).")
    String start;

    @Option(names = "--stop", defaultValue = "latest", description = "With --kafka-topic: latest or partition:offset,... exclusive (default: ${DEFAULT-VALUE}).")
    String stop;

    @Override
    public Integer call() throws Exception {
        Configuration conf = ConfigFlags.read(commandSpec, ConfigFlags.BACKFILL, new Configuration());
        String spec = conf.get(ServingOptions.SPEC);
        String format = conf.get(BackfillOptions.INPUT_FORMAT);
        String output = conf.get(BackfillOptions.OUTPUT);
        String bootstrapServers = conf.get(KafkaOptions.BOOTSTRAP_SERVERS);
        boolean overwrite = conf.get(BackfillOptions.OVERWRITE);
        int parallelism = conf.get(BackfillOptions.PARALLELISM);
        int maxParallelism = conf.get(ServingOptions.MAX_PARALLELISM);
        boolean savepoint = conf.get(BackfillOptions.SAVEPOINT);
        int bins = conf.get(BackfillOptions.PROFILE_BINS);
        FeatureSpec featureSpec = SpecLoader.load(spec);
        var settings = new BackfillJob.Settings(parallelism, maxParallelism, bins, overwrite, savepoint);
        EventSources.BoundedInput bounded;
        if (input.topic != null) {
            if (bootstrapServers == null) {
                throw new IllegalArgumentException("--kafka-topic needs --bootstrap-servers");
            }
            bounded = EventSources.kafkaRange(bootstrapServers, input.topic, "loopline-backfill", start, stop);
        } else {
            InputFormat inputFormat = format.equals("auto") ? InputFormat.guess(input.files.get(0)) : parseFormat(format);
            bounded = EventSources.files(input.files.stream().map(Path::new).toList(), inputFormat, featureSpec.csv());
        }
        System.out.printf("Backfill of %s with spec '%s' (%d feature columns) into %s%n", bounded.description(), featureSpec.name(),
                featureSpec.dimension(), output);
        BackfillJob.Result result = new BackfillJob(bounded, featureSpec, new Path(output), settings).run(BackfillCommand::printProgress);
        System.out.printf(Locale.ROOT, "%nDone in %.1f s: %,d training rows, %,d dead letters%n", result.seconds(), result.rows(), result.deadLetters());
        System.out.printf("  %s/%s%n  %s/%s%n  %s/%s%n", output, BackfillJob.TRAINING_DIR, output, BackfillJob.PROFILE_FILE, output,
                BackfillJob.DEAD_LETTER_DIR);
        if (result.savepoint() != null) {
            System.out.printf("  %s (feature state at the end of history)%n", result.savepoint());
        }
        return 0;
    }

    private static InputFormat parseFormat(String text) {
        try {
            return InputFormat.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--format must be jsonl, csv or auto, got '" + text + "'");
        }
    }

    static void printProgress(String pass, long events, double seconds, long expected) {
        double rate = seconds > 0 ? events / seconds : 0;
        String eta = expected > 0 && rate > 0 && events < expected
                ? String.format(Locale.ROOT, ", ETA %.0f s", (expected - events) / rate)
                : "";
        String total = expected > 0 ? String.format(Locale.ROOT, " of %,d (%.0f%%)", expected, 100.0 * events / expected) : "";
        System.out.printf(Locale.ROOT, "[%s %5.1fs] %,d events read%s, %,.0f events/s%s%n", pass, seconds, events, total, rate, eta);
    }
}
