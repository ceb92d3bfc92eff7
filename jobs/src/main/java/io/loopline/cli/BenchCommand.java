package io.loopline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loopline.bench.FeatureBenchmark;
import io.loopline.operators.features.spec.FeatureSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks; prints a table, or one JSON object with --json.",
        subcommands = {BenchCommand.Features.class},
        sortOptions = false)
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "features",
            mixinStandardHelpOptions = true,
            description = "The feature pipeline without Kafka: generated events through per-entity windowed aggregation and"
                    + " the transform, in Flink BATCH and in STREAMING (RocksDB, incremental checkpoints). Reports events/s"
                    + " (job net runtime, start-up excluded; wall time shown too) and RocksDB state bytes per entity"
                    + " (largest completed checkpoint / entities).",
            sortOptions = false)
    static final class Features implements Callable<Integer> {
        @Option(names = "--events", defaultValue = "1000000", description = "Events per run (default: ${DEFAULT-VALUE}).")
        long events;

        @Option(names = "--entities", defaultValue = "100000", description = "Distinct entities (default: ${DEFAULT-VALUE}).")
        int entities;

        @Option(names = "--spec", defaultValue = "transactions",
                description = "Feature spec (default: ${DEFAULT-VALUE}: 3 windowed aggregates over amount, 10min/1h/24h).")
        String specName;

        @Option(names = "--gap", defaultValue = "10ms", description = "Event-time gap between consecutive events (default: ${DEFAULT-VALUE}).")
        Duration gap;

        @Option(names = "--parallelism", defaultValue = "2", description = "Parallel tasks (default: ${DEFAULT-VALUE}).")
        int parallelism;

        @Option(names = "--checkpoint-interval", defaultValue = "2s", description = "STREAMING checkpoint interval (default: ${DEFAULT-VALUE}).")
        Duration checkpointInterval;

        @Option(names = "--state-backend", defaultValue = "rocksdb", description = "STREAMING state backend: rocksdb or hashmap (default: ${DEFAULT-VALUE}).")
        String stateBackend;

        @Option(names = "--json", description = "Print one JSON object instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            FeatureSpec spec = SpecLoader.load(specName);
            var bench = new FeatureBenchmark(spec, events, entities, parallelism, gap.toMillis());
            Path checkpoints = FeatureBenchmark.tempCheckpoints();
            FeatureBenchmark.Run batch = bench.batch();
            FeatureBenchmark.Run streaming;
            try {
                streaming = bench.streaming(checkpoints, checkpointInterval, stateBackend);
            } finally {
                try (var paths = java.nio.file.Files.walk(checkpoints)) {
                    for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        java.nio.file.Files.deleteIfExists(p);
                    }
                }
            }
            double bytesPerEntity = (double) streaming.maxStateBytes() / entities;
            if (json) {
                ObjectNode node = new ObjectMapper().createObjectNode();
                node.put("events", events).put("entities", entities).put("spec", spec.name()).put("windows", spec.windows().size())
                        .put("parallelism", parallelism)
                        .put("batch_events_per_s", Math.round(batch.eventsPerSecond()))
                        .put("streaming_events_per_s", Math.round(streaming.eventsPerSecond()))
                        .put("state_bytes_per_entity", Math.round(bytesPerEntity))
                        .put("batch_seconds", batch.seconds()).put("streaming_seconds", streaming.seconds())
                        .put("batch_wall_seconds", batch.wallSeconds()).put("streaming_wall_seconds", streaming.wallSeconds())
                        .put("streaming_checkpoints", streaming.checkpoints())
                        .put("streaming_max_checkpoint_state_bytes", streaming.maxStateBytes())
                        .put("cores", Runtime.getRuntime().availableProcessors());
                System.out.println(node);
            } else {
                System.out.printf(Locale.ROOT, "Feature pipeline, spec '%s' (%d windows, %d columns), %,d events over %,d entities, parallelism %d, %d cores%n",
                        spec.name(), spec.windows().size(), spec.dimension(), events, entities, parallelism, Runtime.getRuntime().availableProcessors());
                System.out.printf(Locale.ROOT, "%-34s %12s %12s %12s%n", "mode", "events/s", "job seconds", "wall seconds");
                System.out.printf(Locale.ROOT, "%-34s %,12.0f %12.1f %12.1f%n", "BATCH", batch.eventsPerSecond(), batch.seconds(), batch.wallSeconds());
                System.out.printf(Locale.ROOT, "%-34s %,12.0f %12.1f %12.1f%n", "STREAMING (" + stateBackend + ", ckpt " + checkpointInterval.toMillis() + "ms)",
                        streaming.eventsPerSecond(), streaming.seconds(), streaming.wallSeconds());
                System.out.printf(Locale.ROOT, "State: %,d bytes in the largest of %d checkpoints = %,.0f bytes per entity%n",
                        streaming.maxStateBytes(), streaming.checkpoints(), bytesPerEntity);
            }
            return 0;
        }
    }
}
