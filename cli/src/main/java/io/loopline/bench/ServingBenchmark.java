package io.loopline.bench;

import io.loopline.state.serialization.PredictionSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.jobs.config.SpecLoader;
import io.loopline.synthetic.EventProducer;
import io.loopline.synthetic.TransactionGenerator;
import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.ServingJob;
import io.loopline.kafka.Json;
import io.loopline.kafka.KafkaTopics;
import io.loopline.kafka.ModelAnnouncements;
import io.loopline.local.LocalKafka;
import io.loopline.operators.features.FitAccumulator;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.features.spec.FeatureSpecParser;
import io.loopline.operators.training.BinaryClassifier;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.model.ModelDraft;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.profile.FeatureFit;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.ModelAnnouncement;
import io.loopline.state.records.Prediction;
import io.loopline.state.records.RawEvent;
import io.loopline.state.records.ServedFeatures;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The serving job's cost, measured on one input in Kafka: (a) the full job (decode, features in
 * RocksDB, micro-batched DL4J scoring) with a hot swap to v2 after a quarter of the events, (b) the same job with
 * scoring replaced by a constant, (c) scoring with one DL4J call per event; then the end-to-end
 * latency (event time stamped at the producer to the prediction read back from Kafka) at half of
 * (a)'s rate with the demo spec as shipped (5 s out-of-orderness; events are scored on arrival), with
 * (d) an at-least-once and (e) an exactly-once predictions sink; and (f) the ceiling of (a) on this machine in
 * this run: the same source, partitions, parallelism, checkpoints and probe with a keyed no-op instead of
 * decoding, features and scoring.
 *
 * <p>Rates are counted where predictions leave the scoring operator (a probe sink), from the first
 * prediction to the last, so job start-up is excluded. Events are pre-loaded into Kafka for (a)-(c),
 * so the job reads as fast as it can.
 */
public final class ServingBenchmark {
    private static final String MODEL = "bench";
    private static final String PUSH_PREFIX = "push-";
    private static final Duration JOB_DEADLINE = Duration.ofMinutes(10);
    /** Often enough to read a thread's CPU time before it ends, rarely enough to cost nothing measurable (a read takes ~1 ms). */
    private static final long CPU_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    public record Settings(long events, int entities, int parallelism, int batchSize, long maxDelayMillis, double perEventFraction,
            Duration latencyDuration, double latencyRate, Duration checkpointInterval, String bootstrapServers, String stateBackend) {
        /** With the serving job's own state backend, RocksDB. */
        public Settings(long events, int entities, int parallelism, int batchSize, long maxDelayMillis, double perEventFraction,
                Duration latencyDuration, double latencyRate, Duration checkpointInterval, String bootstrapServers) {
            this(events, entities, parallelism, batchSize, maxDelayMillis, perEventFraction, latencyDuration, latencyRate, checkpointInterval,
                    bootstrapServers, "rocksdb");
        }

        public Settings {
            require(stateBackend.equals("rocksdb") || stateBackend.equals("hashmap"), "--state-backend must be rocksdb or hashmap, got "
                    + stateBackend);
            require(events >= 1000, "--events must be >= 1000, got " + events);
            require(entities >= 1, "--entities must be >= 1, got " + entities);
            require(parallelism >= 1, "--parallelism must be >= 1, got " + parallelism);
            require(batchSize >= 1, "--batch-size must be >= 1, got " + batchSize);
            require(maxDelayMillis >= 0, "--max-batch-delay must be >= 0");
            require(perEventFraction > 0 && perEventFraction <= 1, "--per-event-fraction must be in (0, 1], got " + perEventFraction);
            // The first 3 s after the first prediction are warm-up and the last 2 s wait for the idle flush: neither is sampled.
            require(latencyDuration.toMillis() >= 8000, "--latency-duration must be >= 8s (3 s of warm-up and the last 2 s are not sampled), got "
                    + latencyDuration.toSeconds() + "s");
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    /**
     * @param fullSwaps subtasks whose output changed model version during (a) (every subtask should)
     * @param fullSwapMaxGapMillis longest pause in a subtask's output across its version change in (a)
     * @param fullSteadyMaxGapMillis longest pause in (a) between two predictions of the same version: at full speed the
     *     output comes in bursts as the watermark advances, so (a)'s gaps are mostly that cadence
     * @param swaps subtasks whose output changed version in (d), at a steady input rate
     * @param swapMaxGapMillis longest pause in a subtask's output across its version change in (d)
     * @param steadyMaxGapMillis longest pause in (d) between two predictions of the same version
     * @param cpuMicrosPerEvent for (a) "full", (b) "no_model" and (f) "ceiling": this JVM's CPU time per event by part
     *     ({@link ThreadCpu.Part}) and in "total", over the span the rate is measured on; empty off Linux
     * @param p50KafkaHopMillis (g): one Kafka hop alone at (d)'s rate, the same producer and partitions, no Flink
     * @param p50ScoredMillis in (d), from the producer's send until the event was scored (its prediction's servedAt)
     */
    public record Result(long events, int parallelism, int batchSize, int dimension, double fullEventsPerSecond, double noModelEventsPerSecond,
            long perEventEvents, double perEventEventsPerSecond, long fullSwaps, double fullSwapMaxGapMillis, double fullSteadyMaxGapMillis,
            long swaps, double swapMaxGapMillis, double steadyMaxGapMillis,
            double latencyRate, long latencySamples, double p50LatencyMillis, double p99LatencyMillis, double maxLatencyMillis,
            double shadowEventsPerSecond, double p50LatencyExactlyOnceMillis, double p99LatencyExactlyOnceMillis, long checkpointIntervalMillis,
            double ceilingEventsPerSecond, Map<String, Map<String, Double>> cpuMicrosPerEvent, double p50KafkaHopMillis, double p99KafkaHopMillis,
            double p50ScoredMillis, double p99ScoredMillis) {
        public double fullVsNoModel() {
            return fullEventsPerSecond / noModelEventsPerSecond;
        }

        /** (a) as a share of what the same source, checkpoints and sink carry with nothing in between on this machine, in this run. */
        public double fullVsCeiling() {
            return fullEventsPerSecond / ceilingEventsPerSecond;
        }

        public double fullVsPerEvent() {
            return fullEventsPerSecond / perEventEventsPerSecond;
        }
    }

    private final Settings settings;
    private final PrintStream progress;

    public ServingBenchmark(Settings settings, PrintStream progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public Result run() throws Exception {
        LocalKafka kafka = null;
        Path work = Files.createTempDirectory("loopline-bench-serving-");
        try {
            String bootstrap = settings.bootstrapServers();
            if (bootstrap == null) {
                kafka = LocalKafka.start();
                bootstrap = kafka.bootstrapServers();
                progress.printf("Local Kafka broker at %s%n", bootstrap);
            }
            return run(bootstrap, work);
        } finally {
            if (kafka != null) {
                kafka.close();
            }
            io.loopline.io.LocalFiles.deleteRecursively(work);
        }
    }

    private Result run(String bootstrap, Path work) throws Exception {
        String suffix = Long.toHexString(System.nanoTime());
        String events = "bench-events-" + suffix;
        String liveEvents = "bench-live-events-" + suffix;
        String livePredictions = "bench-live-predictions-" + suffix;
        String hop = "bench-kafka-hop-" + suffix;
        String models = "bench-models-" + suffix;
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(events, settings.parallelism());
        topics.put(liveEvents, settings.parallelism());
        topics.put(livePredictions, settings.parallelism());
        topics.put(liveEvents + "-eo", settings.parallelism());
        topics.put(livePredictions + "-eo", settings.parallelism());
        topics.put(hop, settings.parallelism());
        topics.put(models, 1);
        KafkaTopics.ensure(bootstrap, topics, Set.of(models), Duration.ofSeconds(30));

        String specText = SpecLoader.builtInText("transactions");
        FeatureSpec spec = FeatureSpecParser.parse(specText, "transactions.yaml (built in)");
        FeatureFit fit = new FitAccumulator(spec).result(); // throughput does not depend on the fitted numbers
        String storeRoot = work.resolve("models").toUri().toString();
        var store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(storeRoot));
        ModelMetadata v1 = publish(store, spec, 1);
        ModelMetadata v2 = publish(store, spec, 2);
        ModelMetadata v3 = publish(store, spec, 3);
        ModelAnnouncements.announce(bootstrap, models, store, v1);

        progress.printf("Writing %,d events (%,d cards) into %s ...%n", settings.events(), settings.entities(), events);
        preload(bootstrap, events);

        Job job = new Job(bootstrap, events, models, spec, fit, storeRoot, work);
        progress.println("(f) ceiling: the same source, checkpoints and sink with a keyed no-op in between ...");
        PredictionProbe.Readings ceiling = job.runCeiling(settings.events());
        progress.printf("    %,.0f events/s%n", ceiling.eventsPerSecond());
        printCpu(ceiling);

        progress.println("(b) scoring replaced by a constant ...");
        PredictionProbe.Readings noModel = job.run(settings.events(), -1, ServingJob::withConstantScore, r -> {});
        progress.printf("    %,.0f events/s%n", noModel.eventsPerSecond());
        printCpu(noModel);

        progress.println("(a) full serving job, v2 announced after a quarter of the events ...");
        long quarter = settings.events() / 4;
        boolean[] announced = {false};
        PredictionProbe.Readings full = job.run(settings.events(), v2.version(), j -> {}, r -> {
            if (!announced[0] && r.count.get() >= quarter) {
                announced[0] = true;
                try {
                    ModelAnnouncements.announce(bootstrap, models, store, v2);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        progress.printf("    %,.0f events/s, %d of %d subtasks swapped to v2, longest swap gap %.1f ms%n", full.eventsPerSecond(),
                full.swaps.get(), settings.parallelism(), full.maxSwapGapNanos.get() / 1e6);
        printCpu(full);

        progress.println("(e) the same job with v3 as a shadow beside v2 (scored on every event, logged, not served) ...");
        var kafka = io.loopline.kafka.KafkaConnection.of(bootstrap);
        ModelAnnouncements.announce(kafka, models, store, v3, ModelAnnouncement.Role.SHADOW, 0);
        PredictionProbe.Readings shadowed = job.run(settings.events(), -1, j -> j.withShadowLog(new DiscardingSink<ServedFeatures>()), r -> {});
        ModelAnnouncements.announce(kafka, models, store, v3, ModelAnnouncement.Role.END_TRIAL, 0);
        progress.printf("    %,.0f events/s%n", shadowed.eventsPerSecond());

        long perEventEvents = Math.max(1000, Math.round(settings.events() * settings.perEventFraction()));
        progress.printf("(c) one DL4J output() per event (first %,d events) ...%n", perEventEvents);
        Job perEvent = job.withBatchSize(1);
        PredictionProbe.Readings single = perEvent.run(perEventEvents, -1, j -> {}, r -> {});
        progress.printf("    %,.0f events/s%n", single.eventsPerSecond());

        double rate = settings.latencyRate() > 0 ? settings.latencyRate() : Math.max(1000, full.eventsPerSecond() / 2);
        progress.printf("(d) end-to-end latency at %,.0f events/s (%s), at-least-once, for %s ...%n", rate,
                settings.latencyRate() > 0 ? "--latency-rate" : "half of (a)", settings.latencyDuration());
        LatencyRun live = new LatencyRun(bootstrap, liveEvents, livePredictions, models, specText, fit, storeRoot, work, store, v3);
        long[] latencies = live.measure(rate, DeliveryGuarantee.AT_LEAST_ONCE);
        Arrays.sort(latencies);
        PredictionProbe.Readings steady = live.tapped;
        progress.printf("    p99 %.0f ms; swap to v3 under this steady load: %d of %d subtasks, longest gap %.1f ms (otherwise %.1f ms)%n",
                percentile(latencies, 0.99), steady.swaps.get(), settings.parallelism(), steady.maxSwapGapNanos.get() / 1e6,
                live.steadyGapNanos / 1e6);

        progress.printf("(g) one Kafka hop alone at the same rate: the same producer and partitions, read by a plain consumer, no Flink ...%n");
        long[] hopLatencies = kafkaHop(bootstrap, hop, rate);
        progress.printf("    p50 %.0f ms, p99 %.0f ms%n", percentile(hopLatencies, 0.50), percentile(hopLatencies, 0.99));

        progress.printf("(e) the same with exactly-once predictions (readable at checkpoint commit, every %s) ...%n", settings.checkpointInterval());
        LatencyRun committed = new LatencyRun(bootstrap, liveEvents + "-eo", livePredictions + "-eo", models, specText, fit, storeRoot, work, store,
                v3);
        long[] committedLatencies = committed.measure(rate, DeliveryGuarantee.EXACTLY_ONCE);
        Arrays.sort(committedLatencies);
        progress.printf("    p50 %.0f ms, p99 %.0f ms%n", percentile(committedLatencies, 0.50), percentile(committedLatencies, 0.99));

        return new Result(settings.events(), settings.parallelism(), settings.batchSize(), spec.dimension(), full.eventsPerSecond(),
                noModel.eventsPerSecond(), perEventEvents, single.eventsPerSecond(), full.swaps.get(),
                full.swaps.get() > 0 ? full.maxSwapGapNanos.get() / 1e6 : Double.NaN, full.maxSteadyGapNanos.get() / 1e6,
                steady.swaps.get(), steady.swaps.get() > 0 ? steady.maxSwapGapNanos.get() / 1e6 : Double.NaN, live.steadyGapNanos / 1e6,
                rate, latencies.length,
                percentile(latencies, 0.50), percentile(latencies, 0.99), latencies.length == 0 ? Double.NaN : latencies[latencies.length - 1],
                shadowed.eventsPerSecond(), percentile(committedLatencies, 0.50), percentile(committedLatencies, 0.99),
                settings.checkpointInterval().toMillis(), ceiling.eventsPerSecond(),
                Map.of("full", full.cpuMicrosPerEvent(), "no_model", noModel.cpuMicrosPerEvent(), "ceiling", ceiling.cpuMicrosPerEvent()),
                percentile(hopLatencies, 0.50), percentile(hopLatencies, 0.99), percentile(live.scoredAfter, 0.50), percentile(live.scoredAfter, 0.99));
    }

    /** A consumer of every partition of {@code topic} from its first record, its positions fetched before it returns. */
    private static KafkaConsumer<byte[], byte[]> fromTheStart(String bootstrap, String topic, boolean committedOnly) {
        Properties props = new Properties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted");
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        var consumer = new KafkaConsumer<byte[], byte[]>(props);
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        partitions.forEach(p -> consumer.position(p, Duration.ofSeconds(30)));
        return consumer;
    }

    /**
     * (g) The floor under (d): one Kafka hop, from the producer's send to a consumer's read, with the
     * same producer settings, rate and partitions and no Flink. (d) crosses two hops (events in,
     * predictions out) and the job between them. Latencies in ms, sorted, after the same 3 s warm-up.
     */
    private long[] kafkaHop(String bootstrap, String topic, double rate) throws Exception {
        long total = Math.round(rate * settings.latencyDuration().toSeconds());
        var generator = new TransactionGenerator(4, settings.entities(), 0, System.currentTimeMillis()).withWallClock();
        long[] samples = new long[(int) total];
        int n = 0;
        long received = 0;
        long warmUpEnd = Long.MAX_VALUE;
        try (var consumer = fromTheStart(bootstrap, topic, false)) {
            try (var producer = new EventProducer(bootstrap, topic, generator, total, rate).start()) {
                long deadline = System.nanoTime() + settings.latencyDuration().toNanos() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline && !(producer.isDone() && received >= producer.producedCount())) {
                    var records = consumer.poll(Duration.ofMillis(50));
                    long now = System.currentTimeMillis();
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        received++;
                        if (warmUpEnd == Long.MAX_VALUE) {
                            warmUpEnd = now + 3000;
                        }
                        // The producer leaves the timestamp to Kafka: the record's time is its send.
                        if (record.timestamp() >= warmUpEnd && n < samples.length) {
                            samples[n++] = now - record.timestamp();
                        }
                    }
                }
                if (producer.failure() != null) {
                    throw new IllegalStateException("writing the hop's events failed", producer.failure());
                }
            }
        }
        long[] kept = Arrays.copyOf(samples, n);
        Arrays.sort(kept);
        return kept;
    }

    private void printCpu(PredictionProbe.Readings run) {
        Map<String, Double> micros = run.cpuMicrosPerEvent();
        if (micros.isEmpty()) {
            return;
        }
        StringBuilder line = new StringBuilder("    CPU per event, all cores together:");
        micros.forEach((part, us) -> line.append(String.format(java.util.Locale.ROOT, " %s %.1f µs,", part, us)));
        progress.println(line.substring(0, line.length() - 1));
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    }

    private static ModelMetadata publish(FileSystemModelStore store, FeatureSpec spec, long seed) throws IOException {
        BinaryClassifier network = BinaryClassifier.create(spec.dimension(), new NetworkSettings(List.of(32, 16), "relu", 0.003, 1e-4, 1, 256, seed));
        return store.publish(new ModelDraft(MODEL, null, BinaryClassifier.FORMAT, spec.name(), spec.columnNames(), null, null, 0, Map.of()),
                network.toBytes());
    }

    /** Writes the events, then one far-future event per partition so every event's watermark passes at once. */
    private void preload(String bootstrap, String topic) throws Exception {
        long start = System.currentTimeMillis() - settings.events() * 11;
        var generator = new TransactionGenerator(1, settings.entities(), 0, start);
        try (var producer = new EventProducer(bootstrap, topic, generator, settings.events(), 0).start()) {
            while (!producer.isDone()) {
                Thread.sleep(50);
            }
            if (producer.failure() != null) {
                throw new IllegalStateException("writing the benchmark's events failed", producer.failure());
            }
        }
        long pushTime = System.currentTimeMillis() + Duration.ofHours(1).toMillis();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (var producer = new KafkaProducer<byte[], byte[]>(props)) {
            for (int partition = 0; partition < settings.parallelism(); partition++) {
                String id = PUSH_PREFIX + partition;
                byte[] value = Json.object(json -> {
                    json.writeStringField("event_id", id);
                    json.writeStringField("card_id", "push-card");
                    json.writeNumberField("ts", pushTime);
                    json.writeNumberField("amount", 1.0);
                    json.writeStringField("merchant_category", "grocery");
                    json.writeStringField("country", "DE");
                });
                producer.send(new ProducerRecord<>(topic, partition, null, id.getBytes(StandardCharsets.UTF_8), value)).get();
            }
        }
    }

    /** One way of running the serving job over the pre-loaded events. */
    private final class Job {
        private final String bootstrap;
        private final String events;
        private final String models;
        private final FeatureSpec spec;
        private final FeatureFit fit;
        private final String storeRoot;
        private final Path work;
        private final int batchSize;

        Job(String bootstrap, String events, String models, FeatureSpec spec, FeatureFit fit, String storeRoot, Path work) {
            this(bootstrap, events, models, spec, fit, storeRoot, work, settings.batchSize());
        }

        private Job(String bootstrap, String events, String models, FeatureSpec spec, FeatureFit fit, String storeRoot, Path work, int batchSize) {
            this.bootstrap = bootstrap;
            this.events = events;
            this.models = models;
            this.spec = spec;
            this.fit = fit;
            this.storeRoot = storeRoot;
            this.work = work;
            this.batchSize = batchSize;
        }

        Job withBatchSize(int size) {
            return new Job(bootstrap, events, models, spec, fit, storeRoot, work, size);
        }

        /** Runs until {@code target} predictions arrived, calling {@code onTick} every millisecond or so, then cancels the job. */
        PredictionProbe.Readings run(long target, long swapVersion, Consumer<ServingJob> configure, Consumer<PredictionProbe.Readings> onTick)
                throws Exception {
            String runId = "bench-" + Long.toHexString(System.nanoTime());
            var probe = new PredictionProbe(runId, PUSH_PREFIX, target, swapVersion);
            try {
                String root = storeRoot;
                var job = new ServingJob(KafkaIo.events(bootstrap, events, runId, false), null, new DiscardingSink<DeadLetter>(),
                        new ServingJob.Settings(spec, fit, 128))
                        .withScoring(new ServingJob.Scoring(KafkaIo.models(bootstrap, models, runId, false), probe, MODEL,
                                () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root)), batchSize, settings.maxDelayMillis(), 1_000_000));
                configure.accept(job);
                Configuration conf = LocalEnvironments.streamingConfiguration(settings.parallelism(),
                        Files.createDirectories(work.resolve(runId)), settings.checkpointInterval());
                conf.set(StateBackendOptions.STATE_BACKEND, settings.stateBackend());
                JobClient client = job.start(StreamExecutionEnvironment.getExecutionEnvironment(conf));
                try {
                    PredictionProbe.Readings readings = PredictionProbe.readings(runId);
                    awaitTarget(client, readings, onTick);
                    return readings;
                } finally {
                    client.cancel().get(60, TimeUnit.SECONDS);
                }
            } finally {
                PredictionProbe.forget(runId);
            }
        }

        /**
         * The path every event takes whatever the job does with it: the Kafka source (read_committed, same partitions and
         * parallelism), a keyBy on the record key, exactly-once checkpoints, and the probe; in between a keyed operator that
         * neither decodes nor keeps state, and hands on a constant prediction.
         */
        PredictionProbe.Readings runCeiling(long target) throws Exception {
            String runId = "bench-ceiling-" + Long.toHexString(System.nanoTime());
            var probe = new PredictionProbe(runId, PUSH_PREFIX, target, -1);
            try {
                Configuration conf = LocalEnvironments.streamingConfiguration(settings.parallelism(),
                        Files.createDirectories(work.resolve(runId)), settings.checkpointInterval());
                conf.set(StateBackendOptions.STATE_BACKEND, settings.stateBackend());
                StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
                env.setMaxParallelism(128);
                env.fromSource(KafkaIo.events(bootstrap, events, runId, false), WatermarkStrategy.noWatermarks(), "Events")
                        .uid("ceiling-events-source")
                        .keyBy(new RecordKey())
                        .process(new KeyedNoOp())
                        .returns(PredictionSerializer.TYPE_INFO)
                        .uid("ceiling-keyed-no-op")
                        .name("Keyed no-op")
                        .sinkTo(probe)
                        .name("Probe");
                JobClient client = env.executeAsync("loopline-bench-ceiling");
                try {
                    PredictionProbe.Readings readings = PredictionProbe.readings(runId);
                    awaitTarget(client, readings, r -> {});
                    return readings;
                } finally {
                    client.cancel().get(60, TimeUnit.SECONDS);
                }
            } finally {
                PredictionProbe.forget(runId);
            }
        }

        private void awaitTarget(JobClient client, PredictionProbe.Readings readings, Consumer<PredictionProbe.Readings> onTick) throws Exception {
            long deadline = System.nanoTime() + JOB_DEADLINE.toNanos();
            long nextStatusCheck = 0;
            var cpu = new ThreadCpu();
            long nextCpuPoll = 0;
            while (!readings.reachedTarget()) {
                onTick.accept(readings);
                long now = System.nanoTime();
                // CPU is counted over the same span as the rate: from the first prediction on (start-up is neither).
                if (!cpu.started() && readings.count.get() > 0) {
                    cpu.start();
                    nextCpuPoll = now + CPU_POLL_NANOS;
                } else if (cpu.started() && now > nextCpuPoll) {
                    cpu.poll();
                    nextCpuPoll = now + CPU_POLL_NANOS;
                }
                if (now > nextStatusCheck) {
                    if (client.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                        throw new IllegalStateException("the benchmark job ended early: " + client.getJobExecutionResult().handle((r, e) -> e).get());
                    }
                    nextStatusCheck = now + TimeUnit.MILLISECONDS.toNanos(500);
                }
                if (now > deadline) {
                    throw new IllegalStateException("only " + readings.count.get() + " predictions after " + JOB_DEADLINE);
                }
                Thread.sleep(1);
            }
            cpu.poll();
            readings.cpuSeconds = cpu.seconds();
        }
    }

    /** The record's Kafka key (the generator keys events by card), or its bytes' hash when it has none. */
    private static final class RecordKey implements KeySelector<RawEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(RawEvent raw) {
            return raw.key() != null ? new String(raw.key(), StandardCharsets.UTF_8) : Integer.toHexString(Arrays.hashCode(raw.value()));
        }
    }

    /** Hands on a constant prediction per record, named by its key so the probe can leave the watermark pushers out. */
    private static final class KeyedNoOp extends KeyedProcessFunction<String, RawEvent, Prediction> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(RawEvent raw, Context context, Collector<Prediction> out) {
            out.collect(new Prediction(context.getCurrentKey(), context.getCurrentKey(), raw.timestamp(), 0.5, MODEL, 0, Double.NaN,
                    System.currentTimeMillis()));
        }
    }

    /** The full job on events produced live at a fixed rate, predictions read back from Kafka. */
    private final class LatencyRun {
        private final String bootstrap;
        private final String events;
        private final String predictions;
        private final String models;
        private final String specText;
        private final FeatureFit fit;
        private final String storeRoot;
        private final Path work;
        private final FileSystemModelStore store;
        private final ModelMetadata swapTo;
        private PredictionProbe.Readings tapped;
        /** {@code tapped}'s longest steady gap 2 s before the stream ends (the very end waits for the idle flush). */
        private long steadyGapNanos = -1;

        LatencyRun(String bootstrap, String events, String predictions, String models, String specText, FeatureFit fit, String storeRoot,
                Path work, FileSystemModelStore store, ModelMetadata swapTo) {
            this.store = store;
            this.swapTo = swapTo;
            this.bootstrap = bootstrap;
            this.events = events;
            this.predictions = predictions;
            this.models = models;
            this.specText = specText;
            this.fit = fit;
            this.storeRoot = storeRoot;
            this.work = work;
        }

        /** Of the last {@link #measure}: ms from the producer's send until the event was scored (the prediction's servedAt), sorted. */
        long[] scoredAfter = new long[0];

        /**
         * Latencies in ms, with the demo spec as shipped (5 s out-of-orderness: events are scored on arrival, not when the
         * watermark passes). At least once: predictions are readable when written, and v3 is swapped in mid-run (the swap gap
         * is measured); exactly once: readable when the checkpoint that wrote them commits.
         */
        long[] measure(double rate, DeliveryGuarantee guarantee) throws Exception {
            boolean exactlyOnce = guarantee == DeliveryGuarantee.EXACTLY_ONCE;
            FeatureSpec shipped = FeatureSpecParser.parse(specText, "transactions.yaml");
            String runId = "bench-latency-" + Long.toHexString(System.nanoTime());
            String root = storeRoot;
            var job = new ServingJob(KafkaIo.events(bootstrap, events, runId, false), null, new DiscardingSink<DeadLetter>(),
                    new ServingJob.Settings(shipped, fit, 128))
                    .withScoring(new ServingJob.Scoring(KafkaIo.models(bootstrap, models, runId, false),
                            KafkaIo.predictions(bootstrap, predictions, runId, guarantee), MODEL,
                            () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root)), settings.batchSize(), settings.maxDelayMillis(),
                            1_000_000))
                    .withPredictionTap(new PredictionProbe(runId, PUSH_PREFIX, Long.MAX_VALUE, swapTo.version()));
            tapped = PredictionProbe.readings(runId);
            Configuration conf = LocalEnvironments.streamingConfiguration(settings.parallelism(), Files.createDirectories(work.resolve(runId)),
                    settings.checkpointInterval());
            conf.set(StateBackendOptions.STATE_BACKEND, settings.stateBackend());
            conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, exactlyOnce ? CheckpointingMode.EXACTLY_ONCE : CheckpointingMode.AT_LEAST_ONCE);
            conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofMillis(5));
            // Flink ships a network buffer when it is full or after this timeout (default 100 ms, per shuffle).
            conf.set(ExecutionOptions.BUFFER_TIMEOUT, Duration.ofMillis(2));
            JobClient client = job.start(StreamExecutionEnvironment.getExecutionEnvironment(conf));
            try (var consumer = predictionsConsumer(exactlyOnce)) {
                long total = Math.round(rate * settings.latencyDuration().toSeconds());
                long warmUpEnd = Long.MAX_VALUE; // set from the first prediction: job start-up and its backlog are not latency
                var generator = new TransactionGenerator(3, settings.entities(), 0, System.currentTimeMillis()).withWallClock();
                long[] samples = new long[(int) total];
                int n = 0;
                long received = 0;
                long[] sampleTimes = new long[(int) total];
                long[] untilScored = new long[(int) total];
                ObjectMapper mapper = new ObjectMapper();
                boolean swapped = false;
                try (var producer = new EventProducer(bootstrap, events, generator, total, rate).start()) {
                    long quietSince = System.nanoTime();
                    long deadline = System.nanoTime() + settings.latencyDuration().toNanos() + Duration.ofSeconds(60).toNanos();
                    while (System.nanoTime() < deadline && !(producer.isDone() && (received >= producer.validCount()
                            || System.nanoTime() - quietSince > Duration.ofSeconds(10).toNanos()))) {
                        var records = consumer.poll(Duration.ofMillis(50));
                        long now = System.currentTimeMillis();
                        if (warmUpEnd == Long.MAX_VALUE && !records.isEmpty()) {
                            warmUpEnd = now + 3000;
                        }
                        for (ConsumerRecord<byte[], byte[]> record : records) {
                            received++;
                            var prediction = mapper.readTree(record.value());
                            long eventTime = prediction.path("eventTime").asLong();
                            if (eventTime >= warmUpEnd && n < samples.length) {
                                sampleTimes[n] = eventTime;
                                untilScored[n] = prediction.path("servedAt").asLong() - eventTime;
                                samples[n++] = now - eventTime;
                            }
                        }
                        if (!records.isEmpty()) {
                            quietSince = System.nanoTime();
                        }
                        if (steadyGapNanos < 0 && producer.producedCount() >= total - 2 * rate) {
                            steadyGapNanos = tapped.maxSteadyGapNanos.get();
                        }
                        if (!swapped && !exactlyOnce && warmUpEnd != Long.MAX_VALUE && System.currentTimeMillis() > warmUpEnd + 1000) {
                            swapped = true;
                            ModelAnnouncements.announce(bootstrap, models, store, swapTo);
                        }
                    }
                    if (producer.failure() != null) {
                        throw new IllegalStateException("writing live events failed", producer.failure());
                    }
                }
                // The last events of the stream wait for the idle flush (no later event moves the watermark): not steady-state latency.
                long cutoff = generator.lastTimestamp() - 2000;
                int kept = 0;
                for (int i = 0; i < n; i++) {
                    if (sampleTimes[i] <= cutoff) {
                        untilScored[kept] = untilScored[i];
                        samples[kept++] = samples[i];
                    }
                }
                scoredAfter = Arrays.copyOf(untilScored, kept);
                Arrays.sort(scoredAfter);
                return Arrays.copyOf(samples, kept);
            } finally {
                client.cancel().get(60, TimeUnit.SECONDS);
                PredictionProbe.forget(runId);
            }
        }

        private KafkaConsumer<byte[], byte[]> predictionsConsumer(boolean committedOnly) {
            return fromTheStart(bootstrap, predictions, committedOnly);
        }
    }
}
