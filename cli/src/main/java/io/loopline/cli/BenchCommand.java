package io.loopline.cli;

import io.loopline.jobs.config.SpecLoader;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loopline.bench.FeatureBenchmark;
import io.loopline.bench.ScoringBenchmark;
import io.loopline.bench.ServingBenchmark;
import io.loopline.operators.features.spec.FeatureSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import io.loopline.jobs.config.ServingOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.StateBackendOptions;
import picocli.CommandLine.Option;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks; prints a table, or one JSON object with --json.",
        subcommands = {BenchCommand.Features.class, BenchCommand.Serving.class, BenchCommand.Learning.class, BenchCommand.State.class,
                BenchCommand.Scoring.class},
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
        /** The defaults of the jobs it runs: the demo's spec, two tasks, RocksDB, a checkpoint every 2 s. */
        static final org.apache.flink.configuration.Configuration DEFAULTS = ConfigFlags.benchDefaults(Duration.ofSeconds(2));

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec commandSpec;

        @Option(names = "--events", defaultValue = "1000000", description = "Events per run (default: ${DEFAULT-VALUE}).")
        long events;

        @Option(names = "--entities", defaultValue = "100000", description = "Distinct entities (default: ${DEFAULT-VALUE}).")
        int entities;

        @Option(names = "--gap", defaultValue = "10ms", description = "Event-time gap between consecutive events (default: ${DEFAULT-VALUE}).")
        Duration gap;

        @Option(names = "--json", description = "Print one JSON object instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            var run = ConfigFlags.read(commandSpec, ConfigFlags.BENCH_FEATURES, DEFAULTS);
            int parallelism = run.get(CoreOptions.DEFAULT_PARALLELISM);
            Duration checkpointInterval = run.get(CheckpointingOptions.CHECKPOINTING_INTERVAL);
            String stateBackend = run.get(StateBackendOptions.STATE_BACKEND);
            FeatureSpec spec = SpecLoader.load(run.get(ServingOptions.SPEC));
            var bench = new FeatureBenchmark(spec, events, entities, parallelism, gap.toMillis());
            Path checkpoints = FeatureBenchmark.tempCheckpoints();
            FeatureBenchmark.Run batch = bench.batch();
            FeatureBenchmark.Run streaming;
            try {
                streaming = bench.streaming(checkpoints, checkpointInterval, stateBackend);
            } finally {
                io.loopline.io.LocalFiles.deleteRecursively(checkpoints);
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

    @Command(
            name = "serving",
            mixinStandardHelpOptions = true,
            description = {
                "The serving job on one input in Kafka (a local broker unless --bootstrap-servers): (a) the full job, decode +"
                        + " features in RocksDB + micro-batched DL4J scoring, with model v2 announced after a quarter of the events; (b) the same job with"
                        + " scoring replaced by a constant; (c) one DL4J output() call per event; (d, e) end-to-end latency at least once and exactly once, producer to"
                        + " predictions topic, at half of (a)'s rate, with the demo spec as shipped.",
                "Rates are counted where predictions leave the scoring operator, first to last (job start-up excluded)."
                        + " The swap gap is the longest pause in a subtask's predictions across its change of model version."
            },
            sortOptions = false)
    static final class Serving implements Callable<Integer> {
        @Option(names = "--events", defaultValue = "1000000", description = "Events in Kafka for (a) and (b) (default: ${DEFAULT-VALUE}).")
        long events;

        @Option(names = "--entities", defaultValue = "100000", description = "Distinct cards (default: ${DEFAULT-VALUE}).")
        int entities;

        /** The scoring settings that differ here from the serving job's: batches close sooner, for latency at a low rate. */
        static final org.apache.flink.configuration.Configuration DEFAULTS = ConfigFlags.benchDefaults(Duration.ofSeconds(2))
                .set(io.loopline.jobs.config.ServingOptions.SCORING_MAX_BATCH_DELAY, Duration.ofMillis(5));

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec commandSpec;

        @Option(names = "--per-event-fraction", defaultValue = "0.1",
                description = "Share of the events that (c), the slow one, scores (default: ${DEFAULT-VALUE}).")
        double perEventFraction;

        @Option(names = "--latency-duration", defaultValue = "15s", description = "How long (d) produces live events (default: ${DEFAULT-VALUE}).")
        Duration latencyDuration;

        @Option(names = "--latency-rate", defaultValue = "0",
                description = "Events/s for (d); 0 means half of (a)'s measured rate (default: ${DEFAULT-VALUE}).")
        double latencyRate;

        @Option(names = "--json", description = "Print one JSON object instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            var scoring = ConfigFlags.read(commandSpec, ConfigFlags.BENCH_SERVING, DEFAULTS);
            int batchSize = scoring.get(io.loopline.jobs.config.ServingOptions.SCORING_BATCH_SIZE);
            Duration maxBatchDelay = scoring.get(io.loopline.jobs.config.ServingOptions.SCORING_MAX_BATCH_DELAY);
            int parallelism = scoring.get(CoreOptions.DEFAULT_PARALLELISM);
            Duration checkpointInterval = scoring.get(CheckpointingOptions.CHECKPOINTING_INTERVAL);
            String bootstrapServers = scoring.get(io.loopline.jobs.config.KafkaOptions.BOOTSTRAP_SERVERS);
            String stateBackend = scoring.get(StateBackendOptions.STATE_BACKEND);
            var settings = new ServingBenchmark.Settings(events, entities, parallelism, batchSize, maxBatchDelay.toMillis(), perEventFraction,
                    latencyDuration, latencyRate, checkpointInterval, bootstrapServers, stateBackend);
            java.io.PrintStream progress = json ? System.err : System.out;
            ServingBenchmark.Result r = new ServingBenchmark(settings, progress).run();
            if (json) {
                ObjectNode node = new ObjectMapper().createObjectNode();
                node.put("events", r.events()).put("parallelism", r.parallelism()).put("batch_size", r.batchSize()).put("state_backend", stateBackend)
                        .put("feature_dimension", r.dimension()).put("cores", Runtime.getRuntime().availableProcessors())
                        .put("full_events_per_s", Math.round(r.fullEventsPerSecond()))
                        .put("ceiling_events_per_s", Math.round(r.ceilingEventsPerSecond()))
                        .put("full_vs_ceiling", r.fullVsCeiling())
                        .put("no_model_events_per_s", Math.round(r.noModelEventsPerSecond()))
                        .put("per_event_dl4j_events_per_s", Math.round(r.perEventEventsPerSecond()))
                        .put("per_event_dl4j_events", r.perEventEvents())
                        .put("full_vs_no_model", r.fullVsNoModel())
                        .put("full_vs_per_event_dl4j", r.fullVsPerEvent())
                        .put("swap_subtasks", r.swaps())
                        .put("swap_max_gap_ms", r.swapMaxGapMillis())
                        .put("steady_max_gap_ms", r.steadyMaxGapMillis())
                        .put("full_swap_subtasks", r.fullSwaps())
                        .put("full_swap_max_gap_ms", r.fullSwapMaxGapMillis())
                        .put("full_steady_max_gap_ms", r.fullSteadyMaxGapMillis())
                        .put("latency_rate_events_per_s", Math.round(r.latencyRate()))
                        .put("latency_samples", r.latencySamples())
                        .put("p50_latency_ms", r.p50LatencyMillis())
                        .put("p99_latency_ms", r.p99LatencyMillis())
                        .put("max_latency_ms", r.maxLatencyMillis())
                        .put("latency_rate", Math.round(r.latencyRate()))
                        .put("p50_latency_exactly_once_ms", r.p50LatencyExactlyOnceMillis())
                        .put("p99_latency_exactly_once_ms", r.p99LatencyExactlyOnceMillis())
                        .put("checkpoint_interval_ms", r.checkpointIntervalMillis())
                        .put("p50_scored_after_ms", r.p50ScoredMillis())
                        .put("p99_scored_after_ms", r.p99ScoredMillis())
                        .put("kafka_hop_p50_latency_ms", r.p50KafkaHopMillis())
                        .put("kafka_hop_p99_latency_ms", r.p99KafkaHopMillis())
                        .put("shadow_events_per_s", Math.round(r.shadowEventsPerSecond()));
                ObjectNode cpu = node.putObject("cpu_us_per_event");
                r.cpuMicrosPerEvent().forEach((run, parts) -> {
                    ObjectNode byPart = cpu.putObject(run);
                    parts.forEach(byPart::put);
                });
                System.out.println(node);
            } else {
                System.out.printf(Locale.ROOT, "%nServing benchmark: %,d events through Kafka, spec 'transactions' (%d features), DL4J MLP %d-32-16-1,"
                        + " parallelism %d, batch %d, %s state, %d cores%n", r.events(), r.dimension(), r.dimension(), r.parallelism(), r.batchSize(),
                        stateBackend, Runtime.getRuntime().availableProcessors());
                System.out.printf(Locale.ROOT, "%-52s %12s   %s%n", "run", "events/s", "check");
                System.out.printf(Locale.ROOT, "%-52s %,12.0f   %.0f%% of (b) (target >= 80%%); %.1fx (c) (target >= 25x); target >= 100,000%n",
                        "(a) full job, micro-batched DL4J, v1 -> v2 swap", r.fullEventsPerSecond(), 100 * r.fullVsNoModel(), r.fullVsPerEvent());
                System.out.printf(Locale.ROOT, "%-52s %,12.0f%n", "(b) same job, scoring replaced by a constant", r.noModelEventsPerSecond());
                System.out.printf(Locale.ROOT, "%-52s %,12.0f   (a) is %.0f%% of it (target >= 65%%)%n", "(f) ceiling: same source and sink, keyed no-op",
                        r.ceilingEventsPerSecond(), 100 * r.fullVsCeiling());
                System.out.printf(Locale.ROOT, "%-52s %,12.0f   %.0f%% of (a)%n", "(e) (a) with a shadow version scored on every event",
                        r.shadowEventsPerSecond(), 100 * r.shadowEventsPerSecond() / r.fullEventsPerSecond());
                System.out.printf(Locale.ROOT, "%-52s %,12.0f   (first %,d events)%n", "(c) one DL4J output() per event", r.perEventEventsPerSecond(),
                        r.perEventEvents());
                System.out.printf(Locale.ROOT, "Swap at a steady rate, (d): %d of %d subtasks changed version; longest output gap across the swap"
                        + " %.1f ms (target < 10 ms); longest gap otherwise %.1f ms%n", r.swaps(), r.parallelism(), r.swapMaxGapMillis(),
                        r.steadyMaxGapMillis());
                System.out.printf(Locale.ROOT, "Swap at full speed, (a): %d of %d subtasks; gap across the swap %.1f ms; longest gap otherwise %.1f ms"
                        + " (output comes in bursts as the watermark advances)%n", r.fullSwaps(), r.parallelism(), r.fullSwapMaxGapMillis(),
                        r.fullSteadyMaxGapMillis());
                System.out.printf(Locale.ROOT, "Latency, producer to predictions topic, at-least-once, at %,.0f events/s: p50 %.0f ms, p99 %.0f ms"
                        + " (target < 50 ms), max %.0f ms, %,d samples; demo spec as shipped (5 s out-of-orderness), scored on arrival%n",
                        r.latencyRate(), r.p50LatencyMillis(), r.p99LatencyMillis(), r.maxLatencyMillis(), r.latencySamples());
                System.out.printf(Locale.ROOT, "Of which until scored (servedAt): p50 %.0f ms, p99 %.0f ms%n", r.p50ScoredMillis(), r.p99ScoredMillis());
                System.out.printf(Locale.ROOT, "Latency, (g) one Kafka hop alone, same producer, rate and partitions, no Flink: p50 %.0f ms, p99 %.0f ms"
                        + " ((d) crosses two hops and the job)%n", r.p50KafkaHopMillis(), r.p99KafkaHopMillis());
                System.out.printf(Locale.ROOT, "Latency, exactly-once (read_committed), same rate: p50 %.0f ms, p99 %.0f ms (target <= checkpoint"
                        + " interval %d ms + 100 ms)%n", r.p50LatencyExactlyOnceMillis(), r.p99LatencyExactlyOnceMillis(), r.checkpointIntervalMillis());
                if (!r.cpuMicrosPerEvent().get("full").isEmpty()) {
                    System.out.printf(Locale.ROOT, "CPU per event (µs, this JVM, all cores together, over the span each rate is measured on):%n");
                    System.out.printf(Locale.ROOT, "%-20s %10s %10s %10s%n", "part", "(a) full", "(b) const", "(f) ceiling");
                    for (String part : r.cpuMicrosPerEvent().get("full").keySet()) {
                        System.out.printf(Locale.ROOT, "%-20s %10.1f %10.1f %10.1f%n", part, r.cpuMicrosPerEvent().get("full").get(part),
                                r.cpuMicrosPerEvent().get("no_model").getOrDefault(part, Double.NaN),
                                r.cpuMicrosPerEvent().get("ceiling").getOrDefault(part, Double.NaN));
                    }
                }
            }
            return 0;
        }
    }

    @Command(
            name = "learning",
            mixinStandardHelpOptions = true,
            description = "The learning job without Kafka: generated predictions (20 features) and chargebacks for 10 % of them through"
                    + " the label join (natural labels), online evaluation with ADWIN, Page-Hinkley and DDM, and the windowed drift"
                    + " statistics, STREAMING with RocksDB and checkpoints. Reports labelled examples/s (job net runtime) and the largest"
                    + " checkpointed state of the drift and evaluation operators, after 1M and after 10M examples (it must not grow with"
                    + " traffic), and of the label join (bounded by the feedback window).",
            sortOptions = false)
    static final class Learning implements Callable<Integer> {
        /** The defaults of the jobs it runs: two tasks, RocksDB, a checkpoint every 2 s. */
        static final org.apache.flink.configuration.Configuration DEFAULTS = ConfigFlags.benchDefaults(Duration.ofSeconds(2));

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec commandSpec;

        @Option(names = "--examples", defaultValue = "1000000", description = "Examples in the first run; the second has ten times as many (default: ${DEFAULT-VALUE}).")
        long examples;

        @Option(names = "--gap", defaultValue = "10ms", description = "Event time between predictions (default: ${DEFAULT-VALUE}).")
        Duration gap;

        @Option(names = "--online-examples", defaultValue = "200000", description = "Examples the online learner is timed on (default: ${DEFAULT-VALUE}).")
        long onlineExamples;

        @Option(names = "--online-batch-size", defaultValue = "32", description = "The online learner's mini-batch (default: ${DEFAULT-VALUE}).")
        int onlineBatchSize;

        @Option(names = "--json", description = "Print one JSON object instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            var run = ConfigFlags.read(commandSpec, ConfigFlags.BENCH_LEARNING, DEFAULTS);
            int parallelism = run.get(CoreOptions.DEFAULT_PARALLELISM);
            Duration checkpointInterval = run.get(CheckpointingOptions.CHECKPOINTING_INTERVAL);
            // With rocksdb (incremental checkpoints) sizes include not yet compacted overwrites; with hashmap they are the live state.
            String stateBackend = run.get(StateBackendOptions.STATE_BACKEND);
            var bench = new io.loopline.bench.LearningBenchmark(parallelism, gap.toMillis(), stateBackend);
            Path dir = FeatureBenchmark.tempCheckpoints();
            io.loopline.bench.LearningBenchmark.Run small;
            io.loopline.bench.LearningBenchmark.Run large;
            try {
                small = bench.run(examples, dir.resolve("small"), checkpointInterval);
                large = bench.run(examples * 10, dir.resolve("large"), checkpointInterval);
            } finally {
                io.loopline.io.LocalFiles.deleteRecursively(dir);
            }
            var online = io.loopline.bench.OnlineLearnerBenchmark.run(onlineExamples, onlineBatchSize);
            if (json) {
                ObjectNode node = new ObjectMapper().createObjectNode();
                node.put("features", io.loopline.bench.LearningBenchmark.FEATURES).put("parallelism", parallelism).put("state_backend", stateBackend)
                        .put("cores", Runtime.getRuntime().availableProcessors())
                        .put("labelled_examples_per_s", Math.round(large.examplesPerSecond()))
                        .put("labelled_examples_per_s_1m", Math.round(small.examplesPerSecond()))
                        .put("drift_state_bytes_1m", small.driftStateBytes())
                        .put("drift_state_bytes_10m", large.driftStateBytes())
                        .put("join_state_bytes_1m", small.joinStateBytes())
                        .put("join_state_bytes_10m", large.joinStateBytes())
                        .put("examples_1m", small.examples()).put("examples_10m", large.examples())
                        .put("seconds_1m", small.seconds()).put("seconds_10m", large.seconds())
                        .put("online_labels_per_s", Math.round(online.labelsPerSecond())).put("online_batch_size", online.batchSize())
                        .put("online_examples", online.examples());
                System.out.println(node);
            } else {
                System.out.printf(Locale.ROOT, "Learning job, %d features, parallelism %d, %d cores, %s, checkpoint every %s%n",
                        io.loopline.bench.LearningBenchmark.FEATURES, parallelism, Runtime.getRuntime().availableProcessors(), stateBackend, checkpointInterval);
                System.out.printf(Locale.ROOT, "%-14s %16s %12s %22s %20s%n", "examples", "labelled/s", "seconds", "drift+eval state (B)",
                        "join state (B)");
                for (var r : java.util.List.of(small, large)) {
                    System.out.printf(Locale.ROOT, "%,14d %,16.0f %12.1f %,22d %,20d%n", r.examples(), r.examplesPerSecond(), r.seconds(),
                            r.driftStateBytes(), r.joinStateBytes());
                }
                System.out.printf(Locale.ROOT, "Online learner (test then train, 20 features, 32-16 ReLU, batch %d, one core): %,.0f labelled examples/s"
                        + " over %,d%n", online.batchSize(), online.labelsPerSecond(), online.examples());
            }
            return 0;
        }
    }

    @Command(
            name = "state",
            mixinStandardHelpOptions = true,
            description = "State soak: entities that each send a few events and never return, through the streaming feature"
                    + " operators on RocksDB, for a while; prints, every interval, the distinct entities so far, the latest"
                    + " checkpoint's full state size and the heap after a GC. With --idle-ttl short the state levels off;"
                    + " compare a long one (e.g. 30d) to see it grow with every entity.",
            sortOptions = false)
    static final class State implements Callable<Integer> {
        /** The defaults of the jobs it runs: the demo's spec, two tasks, RocksDB, a checkpoint every 5 s. */
        static final org.apache.flink.configuration.Configuration DEFAULTS = ConfigFlags.benchDefaults(Duration.ofSeconds(5));

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec commandSpec;

        @Option(names = "--duration", defaultValue = "3min", description = "How long to run (default: ${DEFAULT-VALUE}).")
        Duration duration;

        @Option(names = "--events", defaultValue = "100000000", description = "Stop after this many events at the latest (default: ${DEFAULT-VALUE}).")
        long events;

        @Option(names = "--events-per-entity", defaultValue = "2", description = "Events each entity sends before it goes quiet (default: ${DEFAULT-VALUE}).")
        int eventsPerEntity;

        @Option(names = "--idle-ttl", defaultValue = "30s", description = "The spec's idle_ttl: state TTL in processing time (default: ${DEFAULT-VALUE}).")
        Duration idleTtl;

        @Option(names = "--interval", defaultValue = "15s", description = "Reporting interval (default: ${DEFAULT-VALUE}).")
        Duration interval;

        @Override
        public Integer call() throws Exception {
            var run = ConfigFlags.read(commandSpec, ConfigFlags.BENCH_STATE, DEFAULTS);
            int parallelism = run.get(CoreOptions.DEFAULT_PARALLELISM);
            Duration checkpointInterval = run.get(CheckpointingOptions.CHECKPOINTING_INTERVAL);
            FeatureSpec spec = SpecLoader.load(run.get(ServingOptions.SPEC));
            var bench = new io.loopline.bench.StateSoakBenchmark(spec, idleTtl, eventsPerEntity, parallelism, checkpointInterval);
            System.out.printf(Locale.ROOT, "State soak, spec '%s', %d events per entity, idle_ttl %s, parallelism %d, RocksDB, checkpoint every %s, %d cores%n",
                    spec.name(), eventsPerEntity, idleTtl, parallelism, checkpointInterval, Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "%8s %14s %14s %12s %16s %10s%n", "seconds", "events", "entities", "events/s", "state (ckpt) MB", "heap MB");
            Path checkpoints = FeatureBenchmark.tempCheckpoints();
            long[] previous = {0};
            double[] previousTime = {0};
            try {
                bench.run(checkpoints, duration, events, interval, sample -> {
                    double rate = (sample.events() - previous[0]) / Math.max(1e-9, sample.seconds() - previousTime[0]);
                    previous[0] = sample.events();
                    previousTime[0] = sample.seconds();
                    System.out.printf(Locale.ROOT, "%8.0f %,14d %,14d %,12.0f %,16.1f %,10.1f%n", sample.seconds(), sample.events(), sample.entities(),
                            rate, sample.stateBytes() / 1e6, sample.heapBytes() / 1e6);
                });
            } finally {
                io.loopline.io.LocalFiles.deleteRecursively(checkpoints);
            }
            return 0;
        }
    }

    @Command(
            name = "scoring",
            mixinStandardHelpOptions = true,
            description = "One DL4J call of the scoring operator, by micro-batch size, on one thread: the demo's network (53 inputs,"
                    + " 32-16 ReLU) scored as serving does (float input) and with a double input that DL4J casts itself. Prints"
                    + " microseconds per call and per row (medians of alternating rounds, after two warm-up rounds).",
            sortOptions = false)
    static final class Scoring implements Callable<Integer> {
        @Option(names = "--rows", split = ",", defaultValue = "1,8,32,256", description = "Micro-batch sizes (default: ${DEFAULT-VALUE}).")
        int[] rows;

        @Option(names = "--rounds", defaultValue = "8", description = "Rounds per size, the first two a warm-up (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--rows-per-round", defaultValue = "20000", description = "Rows scored per round and size, at least 20 calls"
                + " (default: ${DEFAULT-VALUE}).")
        long rowsPerRound;

        @Option(names = "--json", description = "Print one JSON object instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            var batches = ScoringBenchmark.run(rows, rounds, rowsPerRound);
            if (json) {
                ObjectNode node = new ObjectMapper().createObjectNode();
                node.put("inputs", ScoringBenchmark.INPUTS).put("network", "53-32-16-1")
                        .put("cores", Runtime.getRuntime().availableProcessors());
                var array = node.putArray("batches");
                for (var b : batches) {
                    array.addObject().put("rows", b.rows()).put("us_per_call", b.microsPerCall()).put("us_per_row", b.microsPerRow())
                            .put("double_input_us_per_call", b.doubleInputMicrosPerCall());
                }
                System.out.println(node);
            } else {
                System.out.printf(Locale.ROOT, "One DL4J call, network %d-32-16-1, one thread, %d cores%n", ScoringBenchmark.INPUTS,
                        Runtime.getRuntime().availableProcessors());
                System.out.printf(Locale.ROOT, "%6s %14s %12s %26s %10s%n", "rows", "µs per call", "µs per row", "double input, µs per call", "ratio");
                for (var b : batches) {
                    System.out.printf(Locale.ROOT, "%6d %14.1f %12.2f %26.1f %10.2f%n", b.rows(), b.microsPerCall(), b.microsPerRow(),
                            b.doubleInputMicrosPerCall(), b.microsPerCall() / b.doubleInputMicrosPerCall());
                }
            }
            return 0;
        }
    }
}
