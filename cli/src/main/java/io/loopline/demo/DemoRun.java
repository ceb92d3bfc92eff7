package io.loopline.demo;

import io.loopline.synthetic.PredictionLatency;
import io.loopline.synthetic.EventProducer;
import io.loopline.synthetic.TransactionGenerator;
import io.loopline.jobs.config.SpecLoader;
import io.loopline.io.EventSources;
import io.loopline.io.InputFormat;
import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.backfill.BackfillJob;
import io.loopline.jobs.backfill.BackfillProgress;
import io.loopline.jobs.learning.LearningJob;
import io.loopline.operators.drift.ReferenceBins;
import io.loopline.state.profile.ReferenceProfile;
import io.loopline.jobs.training.InitialTraining;
import io.loopline.kafka.KafkaModelAnnouncer;
import io.loopline.kafka.ModelAnnouncements;
import io.loopline.demo.report.DemoReport;
import io.loopline.demo.report.Timeline;
import io.loopline.operators.retraining.TrainerOptions;
import io.loopline.operators.retraining.TrainerSettings;
import io.loopline.operators.retraining.TrainingMode;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.operators.features.ProfileAccumulator;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.features.spec.FeatureSpecParser;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.ProgressCounters;
import io.loopline.jobs.config.ServingOptions;
import io.loopline.jobs.ServingJob;
import io.loopline.kafka.KafkaTopics;
import io.loopline.local.LocalKafka;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The embedded demo: labelled history is backfilled (Flink BATCH) into a training set and a
 * reference profile; then a real Kafka broker process (or a given cluster) receives live synthetic
 * transactions, the serving job featurizes them with the same feature definition in a Flink
 * MiniCluster (RocksDB, checkpoints, exactly-once Kafka output), and progress is read back with a
 * read_committed consumer.
 */
public final class DemoRun {
    private static final Duration MODEL_SERVED_WITHIN = Duration.ofMinutes(3);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);
    private static final String MODEL = "fraud";
    /**
     * Event time (the live stream covers ~35 minutes of it): a chargeback comes 20 seconds after the
     * transaction; no chargeback within a minute means "not fraud".
     */
    private static final Duration CHARGEBACK_DELAY = Duration.ofSeconds(20);
    private static final Duration FEEDBACK_WINDOW = Duration.ofMinutes(1);
    private static final Duration DRIFT_WINDOW = Duration.ofMinutes(1);
    /**
     * The feature log interleaves the serving subtasks' outputs; a subtask a tenth of a second behind
     * another is half a minute of event time behind here, where event time runs ~200 times faster
     * than the clock. The learning job's out-of-orderness must cover that, or labels meet no prediction.
     */
    private static final Duration FEATURE_LOG_DISORDER = Duration.ofMinutes(2);
    /** How long the summary waits for the learning job's last windows once every event is served. */
    private static final Duration DRIFT_GRACE = Duration.ofSeconds(60);
    /**
     * Events written after the first post-drift promotion is seen: enough for the retrained version's
     * accuracy to be measured in several evaluation slides, overall and per merchant, once the
     * pipeline has processed them, even when it lags far behind the producer on a busy machine.
     */
    private static final long EVENTS_TO_MEASURE_PROMOTION = 60_000;
    /** Labelled examples the trainer waits for after a change point (three quarters of its 4,000-example buffer). */
    private static final long AFTER_DRIFT_EXAMPLES = 3000;

    /**
     * The summary's steady latency counts events sent after this much of the live run: before it the
     * JIT compiles the hot paths of a fresh JVM (a fifth of a core for most of a minute here) and the
     * first checkpoints run, so the whole run's p99 tells more about start-up than about the path.
     */
    public static final Duration LATENCY_WARM_UP = Duration.ofSeconds(20);

    private final DemoSettings settings;
    private final PrintStream out;
    private Duration latencyWarmUp = LATENCY_WARM_UP;
    private long brokerPid;
    private final PredictionLatency latency = new PredictionLatency();
    private volatile boolean interrupted;
    private volatile DriftWatcher drift;
    private volatile long driftStart;
    /** Event time between two retrainings (events are ~10 ms of event time apart: at 2,500 events/s it runs ~25 times faster than the clock). */
    private static final Duration RETRAIN_COOLDOWN = Duration.ofMinutes(2);
    /** Events held per subtask until v1 is announced: the demo starts serving before training ends and must score all of them. */
    private static final int HELD_BEFORE_FIRST_MODEL = 1_000_000;

    public DemoRun(DemoSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    /** Counts the summary's steady latency from this far into the live run (a short run in a test needs less than the default). */
    public DemoRun withLatencyWarmUp(Duration warmUp) {
        this.latencyWarmUp = warmUp;
        return this;
    }

    /** Ends the run early (Ctrl-C): the summary still prints. */
    public void interrupt() {
        interrupted = true;
    }

    public DemoSummary run() throws Exception {
        LocalKafka localKafka = null;
        try {
            String bootstrap = settings.bootstrapServers();
            if (bootstrap == null) {
                out.println("Starting a local Kafka broker ...");
                localKafka = LocalKafka.start();
                bootstrap = localKafka.bootstrapServers();
                out.printf("Kafka broker ready at %s (pid %d)%n", bootstrap, localKafka.pid());
                brokerPid = localKafka.pid();
            }
            return runAgainst(bootstrap);
        } finally {
            if (localKafka != null) {
                localKafka.close();
                out.println("Local Kafka broker stopped.");
            }
        }
    }

    private DemoSummary runAgainst(String bootstrap) throws Exception {
        if (settings.stateDir() != null) {
            return runAgainst(bootstrap, Files.createDirectories(settings.stateDir()));
        }
        Path temporary = Files.createTempDirectory("loopline-demo-");
        try {
            return runAgainst(bootstrap, temporary);
        } finally {
            io.loopline.io.LocalFiles.deleteRecursively(temporary);
        }
    }

    private DemoSummary runAgainst(String bootstrap, Path stateDir) throws Exception {
        FeatureSpec spec = FeatureSpecParser.parse(SpecLoader.builtInText("transactions"), "transactions.yaml (built in)");

        // 1. History: labelled events, backfilled in BATCH into a training set and a reference profile.
        Path history = stateDir.resolve("history.jsonl");
        long historyEnd = writeHistory(history);
        out.printf(Locale.ROOT, "Backfilling %,d historic events (Flink BATCH, spec '%s', %d feature columns) ...%n",
                settings.historyEvents(), spec.name(), spec.dimension());
        var backfill = new BackfillJob(
                EventSources.files(List.of(new org.apache.flink.core.fs.Path(history.toUri())), InputFormat.JSONL, spec.csv()),
                spec, new org.apache.flink.core.fs.Path(stateDir.resolve("backfill").toUri()),
                new BackfillJob.Settings(settings.parallelism(), settings.maxParallelism(), ProfileAccumulator.DEFAULT_BINS, true, true));
        BackfillJob.Result backfilled = backfill.run(BackfillProgress.NONE);
        out.printf(Locale.ROOT, "Backfill done in %.1f s: %,d training rows, a reference profile and a feature-state savepoint in %s%n",
                backfilled.seconds(), backfilled.rows(), stateDir.resolve("backfill"));

        // 2. A first model, trained on the training set and published to the model store.
        String storeRoot = stateDir.resolve("models").toUri().toString();
        var store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(storeRoot));
        InitialTraining.Result trained = new InitialTraining(spec, new NetworkSettings(List.of(32, 16), "relu", 0.003, 1e-4, 3, 256, 7), 0.2)
                .run(new org.apache.flink.core.fs.Path(stateDir.resolve("backfill").resolve(BackfillJob.TRAINING_DIR).toUri()), store, MODEL);
        out.printf(Locale.ROOT, "Trained %s v%d (DL4J) on %,d rows: validation AUC %.3f, log loss %.4f on the %,d most recent%n", MODEL,
                trained.model().version(), trained.trainingRows(), trained.validation().auc(), trained.validation().logLoss(), trained.validationRows());
        // 3. Live: the same feature definition in STREAMING, on events arriving in Kafka, scored by the announced model.
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(settings.eventsTopic(), settings.parallelism());
        topics.put(settings.featureLogTopic(), settings.parallelism());
        topics.put(settings.predictionsTopic(), settings.parallelism());
        topics.put(settings.modelsTopic(), 1);
        topics.put(settings.deadLetterTopic(), 1);
        topics.put(settings.labelsTopic(), settings.parallelism());
        topics.put(settings.driftTopic(), 1);
        KafkaTopics.ensure(bootstrap, topics, java.util.Set.of(settings.modelsTopic()), Duration.ofSeconds(30));
        out.printf("Topics ready: %s%n", topics.keySet());
        // On a shared cluster the topics may hold earlier runs' records: this run reads only what it writes from now on.
        long runStart = System.currentTimeMillis();
        ModelAnnouncements.announce(bootstrap, settings.modelsTopic(), store, trained.model());

        String runId = Long.toHexString(System.currentTimeMillis());
        var job = new ServingJob(
                KafkaIo.events(bootstrap, settings.eventsTopic(), "loopline-demo-" + runId, false, runStart),
                null, // the feature log carries the served features, with their predictions
                KafkaIo.deadLetters(bootstrap, settings.deadLetterTopic(), "loopline-demo-" + runId),
                new ServingJob.Settings(spec, backfilled.fit(), settings.maxParallelism()))
                .withScoring(new ServingJob.Scoring(
                        KafkaIo.models(bootstrap, settings.modelsTopic(), "loopline-demo-" + runId, false, runStart),
                        KafkaIo.predictions(bootstrap, settings.predictionsTopic(), "loopline-demo-" + runId,
                                settings.predictionsDelivery().guarantee()), MODEL,
                        () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(storeRoot)), ServingOptions.SCORING_BATCH_SIZE.defaultValue(),
                        ServingOptions.SCORING_MAX_BATCH_DELAY.defaultValue().toMillis(), HELD_BEFORE_FIRST_MODEL))
                .withFeatureLog(KafkaIo.featureLog(bootstrap, settings.featureLogTopic(), spec.name(), "loopline-demo-" + runId));
        // The learning job beside it: feature log x chargebacks, evaluation per version, drift against the backfill's profile.
        var reference = ReferenceProfile.read(new org.apache.flink.core.fs.Path(stateDir.resolve("backfill").resolve(BackfillJob.PROFILE_FILE).toUri()));
        var learning = new LearningJob(KafkaIo.raw(bootstrap, settings.featureLogTopic(), "loopline-demo-learning-" + runId, runStart),
                KafkaIo.raw(bootstrap, settings.labelsTopic(), "loopline-demo-learning-" + runId, runStart),
                KafkaIo.drift(bootstrap, settings.driftTopic(), "loopline-demo-" + runId),
                KafkaIo.deadLetters(bootstrap, settings.deadLetterTopic(), "loopline-demo-learning-" + runId),
                LearningJob.Settings.from(new org.apache.flink.configuration.Configuration()
                                .set(io.loopline.jobs.config.LearningOptions.FEEDBACK_WINDOW, FEEDBACK_WINDOW)
                                .set(io.loopline.jobs.config.LearningOptions.DEFAULT_LABEL, 0.0) // natural labels: no chargeback is a legitimate one
                                .set(io.loopline.jobs.config.LearningOptions.OUT_OF_ORDERNESS, FEATURE_LOG_DISORDER)
                                .set(io.loopline.jobs.config.LearningOptions.EVALUATION_WINDOW, 2000)
                                .set(io.loopline.jobs.config.LearningOptions.EVALUATION_SLIDE, 1000)
                                .set(io.loopline.jobs.config.LearningOptions.DRIFT_WINDOW, DRIFT_WINDOW)
                                .set(io.loopline.jobs.config.ServingOptions.MAX_PARALLELISM, settings.maxParallelism()),
                        ReferenceBins.of(reference), () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(storeRoot)),
                        io.loopline.operators.learning.Slices.of("merchant", reference.columns(), reference.fit()))
                        .withRetraining(new LearningJob.Retraining(trainer(), new KafkaModelAnnouncer(bootstrap, settings.modelsTopic()))));
        // Started from the backfill's savepoint: every card's aggregates are warm from its first live event.
        var env = StreamExecutionEnvironment.getExecutionEnvironment(LocalEnvironments.restoringFrom(ProgressCounters.reportingTo(
                LocalEnvironments.streamingConfiguration(settings.parallelism(), stateDir.resolve("checkpoints"), settings.checkpointInterval())),
                backfilled.savepoint().toString()));

        var generator = new TransactionGenerator(settings.seed() + 1, settings.entities(), settings.malformedRatio(), historyEnd + 1000);
        try (var drift = new DriftWatcher(bootstrap, settings.driftTopic()).start();
                var counter = new CommittedOutputCounter(bootstrap, settings.featureLogTopic(), settings.predictionsTopic(), settings.deadLetterTopic())
                        .recordingInto(drift.timeline()).measuringLatency(latency).start()) {
            job.build(env);
            learning.build(env);
            // One job graph for the demo's two pipelines (one MiniCluster on a small machine); on a cluster they are two jobs.
            String jobName = "Loopline Demo: " + ServingJob.JOB_NAME + " + " + LearningJob.JOB_NAME;
            JobClient client = env.executeAsync(jobName);
            this.drift = drift;
            out.printf("Flink job %s started from the savepoint (parallelism %d, RocksDB, checkpoint every %s, exactly-once feature log,"
                    + " %s predictions)%n", client.getJobID(), settings.parallelism(), settings.checkpointInterval(), settings.predictionsDelivery());
            awaitModelServed(client, jobName, trained.model().version());
            long startNanos = System.nanoTime();
            latency.steadyFrom(startNanos + latencyWarmUp.toNanos());
            MachineCpu cpu = MachineCpu.startReading(brokerPid);
            try (var producer = new EventProducer(bootstrap, settings.eventsTopic(), generator, settings.events(), settings.ratePerSecond())
                    .withChargebacks(settings.labelsTopic(), CHARGEBACK_DELAY.toMillis())
                    .measuringLatency(latency)
                    .driftAfter(Math.round(settings.events() * settings.driftAt()))
                    .lingerUntil(this::enoughWritten, startNanos + settings.timeout().multipliedBy(4).dividedBy(5).toNanos()).start()) {
                DemoSummary summary = watch(client, producer, counter, startNanos, backfilled.rows(), cpu);
                printSummary(summary);
                if (settings.report() != null) {
                    writeReport(summary);
                }
                return summary;
            } finally {
                stopJob(client);
            }
        }
    }

    private static long servingDeadLetters(java.util.Map<String, Long> byReason) {
        return byReason.entrySet().stream().filter(e -> DemoSummary.isServingReason(e.getKey())).mapToLong(java.util.Map.Entry::getValue).sum();
    }

    /** Writes labelled history and returns the event time of its last event. */
    private long writeHistory(Path file) throws IOException {
        long start = System.currentTimeMillis() - settings.historyEvents() * 11; // ~10.5 ms apart: history ends about now
        var generator = new TransactionGenerator(settings.seed(), settings.entities(), settings.malformedRatio(), start, true);
        long last = start;
        try (OutputStream stream = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (long i = 0; i < settings.historyEvents(); i++) {
                TransactionGenerator.Generated g = generator.next();
                stream.write(g.value());
                stream.write('\n');
                last = g.timestamp();
            }
        }
        return last;
    }

    private DemoSummary watch(JobClient client, EventProducer producer, CommittedOutputCounter counter, long startNanos, long historyRows,
            MachineCpu cpu) throws Exception {
        long deadline = startNanos + settings.timeout().toNanos();
        long lastCommitted = 0;
        long lastNanos = startNanos;
        long lastProgressNanos = startNanos;
        long lastCommitNanos = startNanos;
        boolean complete = false;
        while (!interrupted) {
            Thread.sleep(100); // demo pacing only; completion is decided on observed counts below
            if (producer.driftStartTime() > 0 && driftStart == 0) {
                driftStart = producer.driftStartTime();
                drift.driftStartsAt(driftStart);
                drift.timeline().mark(driftStart, "drift", "drift injected after " + producer.producedCount() + " live events: amounts x4, a fraud ring at electronics and gaming merchants");
                out.printf(Locale.ROOT, "[%5.1fs] drift injected: from now on amounts are 4 times larger and a fraud ring works electronics and gaming merchants%n",
                        (System.nanoTime() - startNanos) / 1e9);
            }
            for (String news : drift.drainNews()) {
                out.printf(Locale.ROOT, "[%5.1fs] %s%n", (System.nanoTime() - startNanos) / 1e9, news);
            }
            long now = System.nanoTime();
            // The serving job's output only: the learning job's rejected labels are dead letters too, but no event's.
            long committed = counter.features() + servingDeadLetters(counter.deadLettersByReason());
            if (committed != lastCommitted) {
                lastCommitNanos = now;
            }
            if (producer.failure() != null) {
                throw new IllegalStateException("writing events to Kafka failed: " + producer.failure(), producer.failure());
            }
            JobStatus status = client.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                throw new IllegalStateException("the Flink job ended unexpectedly with status " + status);
            }
            if (producer.isDone() && settings.events() > 0 && committed >= producer.producedCount()
                    && counter.predictions() >= producer.validCount()) {
                complete = true;
                lastCommitNanos = now;
                break;
            }
            if (now - lastProgressNanos >= PROGRESS_EVERY.toNanos()) {
                double rate = (committed - lastCommitted) / ((now - lastNanos) / 1e9);
                double[] recentLatency = latency.recent();
                out.printf(Locale.ROOT, "[%5.1fs] produced %,d  committed %,d predictions %s, %,d dead letters  %,.0f events/s  |  latency p50 %.0f ms"
                                + " p99 %.0f ms  |  accuracy %s  |  %d promoted%n",
                        (now - startNanos) / 1e9, producer.producedCount(), counter.predictions(),
                        byVersion(counter.predictionsByVersion()), counter.deadLetters(), rate, recentLatency[0], recentLatency[1], latestAccuracy(),
                        drift.promotions().size());
                lastCommitted = committed;
                lastNanos = now;
                lastProgressNanos = now;
            }
            if (now > deadline) {
                out.printf("Timeout of %s reached before every event was committed.%n", settings.timeout());
                break;
            }
        }
        // Read before the grace below: it is the live run's CPU, while every event is in flight.
        MachineCpu.Usage usage = cpu.usage();
        long graceEnd = System.nanoTime() + DRIFT_GRACE.toNanos();
        while (complete && !interrupted && !(drift.detectedDrift() && !drift.driftedFeatures().isEmpty() && storyTold())
                && System.nanoTime() < graceEnd) {
            Thread.sleep(100); // the last event-time windows close after the serving side is done
            for (String news : drift.drainNews()) {
                out.printf(Locale.ROOT, "[%5.1fs] %s%n", (System.nanoTime() - startNanos) / 1e9, news);
            }
        }
        double seconds = (lastCommitNanos - startNanos) / 1e9;
        long committedTotal = counter.features() + counter.deadLetters();
        return new DemoSummary(
                historyRows, producer.producedCount(), producer.validCount(), producer.malformedCount(),
                counter.features(), counter.distinctFeatures(), counter.predictions(), counter.distinctPredictions(),
                counter.predictionsByVersion(), counter.deadLetters(), counter.deadLettersByReason(),
                seconds, seconds > 0 ? committedTotal / seconds : 0, complete, producer.labelCount(), drift.detections(), drift.driftedFeatures(),
                drift.differentFromHistory(), drift.accuracy(), drift.promotions(), drift.rejections(), accuracyBeforeDrift(), accuracyAfterDrift(),
                accuracyAfterPromotion(), settings.report(), settings.predictionsDelivery().key(), latency.overall()[0], latency.overall()[1], recovery(),
                latency.steady()[0], latency.steady()[1], latencyWarmUp, usage);
    }

    /**
     * The trainer: stateful fine-tuning of the champion on recent labelled examples when a detector
     * fires or accuracy decays. The buffer is small for the demo's pace (~2,500 labels a second): a
     * few seconds after the change it already holds mostly the new world, so the first challenger
     * learns it rather than the old one.
     */
    private static TrainerSettings trainer() {
        // The injected drift is abrupt: a challenger fine-tuned on the examples after the change point learns the new regime
        // instead of averaging it with the buffer's older examples.
        Configuration demo = new Configuration();
        demo.set(TrainerOptions.MODE, TrainingMode.STATEFUL.label());
        demo.set(TrainerOptions.COOLDOWN, RETRAIN_COOLDOWN);
        demo.set(TrainerOptions.MIN_EXAMPLES, 2000);
        demo.set(TrainerOptions.DECAY_MARGIN, "0.03");
        demo.set(TrainerOptions.AFTER_DRIFT_EXAMPLES, AFTER_DRIFT_EXAMPLES);
        demo.set(TrainerOptions.BUFFER_SIZE, 4_000);
        demo.set(TrainerOptions.EPOCHS, 12);
        demo.set(TrainerOptions.ROLLBACK_MIN_EXAMPLES, 2000L);
        return TrainerSettings.from(demo, MODEL);
    }

    private volatile long writtenAtPromotion = -1;
    private volatile long measuredVersion = -1;
    /** The version the story is about, fixed when the producer stops: a promotion while the rest drains has no events left to be measured on. */
    private volatile long storyVersion = -1;

    /** Whether the producer may stop: the story was told, or the events that will tell it once processed are written. */
    private boolean enoughWritten(long written) {
        if (storyTold()) {
            storyVersion = latestVersionPromotedAfterDrift();
            return true;
        }
        long latest = drift == null ? -1 : latestVersionPromotedAfterDrift();
        if (latest <= 0) {
            return false;
        }
        if (latest != measuredVersion) {
            // A later promotion (the first challenger after an abrupt change learned little of it) is measured in turn.
            measuredVersion = latest;
            writtenAtPromotion = written;
        }
        if (written - writtenAtPromotion >= EVENTS_TO_MEASURE_PROMOTION) {
            storyVersion = latest;
            return true;
        }
        return false;
    }

    /** The newest version promoted after the drift has served long enough for its accuracy to be measured in a few windows. */
    private boolean storyTold() {
        DriftWatcher watcher = drift;
        if (watcher == null) {
            return false;
        }
        long version = storyVersion > 0 ? storyVersion : latestVersionPromotedAfterDrift();
        return version > 0 && watcher.timeline().accuracy().getOrDefault(version, List.of()).size() >= 3;
    }

    private String latestAccuracy() {
        var accuracy = drift.accuracy();
        return accuracy.isEmpty() ? "-" : String.format(Locale.ROOT, "v%d %.3f", ((java.util.TreeMap<Long, Double>) accuracy).lastKey(),
                ((java.util.TreeMap<Long, Double>) accuracy).lastEntry().getValue());
    }

    /** Event time at which the first version promoted after the drift was published; 0 if none. */
    private long promotedAfterDrift() {
        return drift.timeline().marks().stream().filter(m -> m.kind().equals("promotion") && driftStart > 0 && m.time() >= driftStart)
                .mapToLong(Timeline.Mark::time).findFirst().orElse(0L);
    }

    private long versionPromotedAfterDrift() {
        long at = promotedAfterDrift();
        return drift.timeline().marks().stream().filter(m -> m.kind().equals("promotion") && m.time() == at)
                .mapToLong(m -> Long.parseLong(m.label().substring(1, m.label().indexOf(' ')))).findFirst().orElse(-1L);
    }

    private long latestVersionPromotedAfterDrift() {
        return drift.timeline().marks().stream().filter(m -> m.kind().equals("promotion") && driftStart > 0 && m.time() >= driftStart)
                .mapToLong(m -> Long.parseLong(m.label().substring(1, m.label().indexOf(' ')))).max().orElse(-1L);
    }

    private double accuracyBeforeDrift() {
        return mean(drift.timeline().accuracy().values().stream().flatMap(List::stream).filter(p -> driftStart == 0 || p.time() <= driftStart));
    }

    private double accuracyAfterDrift() {
        if (driftStart == 0) {
            return Double.NaN;
        }
        // The versions from before the promotion, in windows wholly after the drift (a version's windows hold only its own
        // predictions, so those after the promotion's event time still measure it); when there are none, those that end after it.
        double afterFullWindow = accuracyOfOldVersions(driftStart + DRIFT_WINDOW.toMillis());
        return Double.isNaN(afterFullWindow) ? accuracyOfOldVersions(driftStart) : afterFullWindow;
    }

    private double accuracyOfOldVersions(long windowsEndingAfter) {
        long newVersion = versionPromotedAfterDrift();
        return mean(drift.timeline().accuracy().entrySet().stream().filter(e -> newVersion < 0 || e.getKey() < newVersion)
                .flatMap(e -> e.getValue().stream()).filter(p -> p.time() > windowsEndingAfter));
    }

    /**
     * Event time from the drift until a version promoted after it serves (half of a one-minute bucket's
     * predictions, in one-minute buckets): how long the stream was scored by a model that had not seen the new regime. -1 if it never did.
     */
    private long recovery() {
        long version = versionPromotedAfterDrift();
        if (driftStart == 0 || version < 0) {
            return -1;
        }
        long served = drift.timeline().firstServedBy(version, driftStart, 0.5);
        if (served >= 0) {
            drift.timeline().mark(served, "recovery", "v" + version + " serves " + minutesAndSeconds(served - driftStart) + " after the drift");
        }
        return served < 0 ? -1 : served - driftStart;
    }

    /** Windows served by the retrained version the story measured (the newest promoted after the drift while events came) and later ones. */
    private double accuracyAfterPromotion() {
        long version = storyVersion > 0 ? storyVersion : latestVersionPromotedAfterDrift();
        return version < 0 ? Double.NaN : mean(drift.timeline().accuracy().entrySet().stream().filter(e -> e.getKey() >= version)
                .flatMap(e -> e.getValue().stream()));
    }

    private static double mean(java.util.stream.Stream<Timeline.Point> points) {
        return points.mapToDouble(Timeline.Point::value).filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
    }

    private void writeReport(DemoSummary s) {
        Map<String, String> facts = DemoReport.facts();
        facts.put("live events", String.format(Locale.ROOT, "%,d (%,d valid), after %,d history rows", s.produced(), s.validProduced(), s.historyRows()));
        facts.put("predictions by version", s.predictionsByVersion().toString());
        facts.put("change points", s.detections().toString());
        facts.put("drifted features", s.driftedFeatures().keySet().toString());
        facts.put("challengers", s.promotions().size() + " promoted, " + s.rejections() + " rejected");
        facts.put("accuracy", String.format(Locale.ROOT, "%.3f before the drift, %.3f after it, %.3f once the retrained version serves",
                s.accuracyBeforeDrift(), s.accuracyAfterDrift(), s.accuracyAfterPromotion()));
        facts.put("recovery", recoveryText(s));
        facts.put("exactly-once", s.exactlyOnce() ? "yes" : "no");
        facts.put("prediction latency", latencyText(s));
        if (s.cpu() != null) {
            facts.put("CPU (live run)", cpuText(s.cpu()));
        }
        try {
            DemoReport.write(settings.report(), "Loopline demo", facts, drift.timeline(),
                    Map.of(0.1, "PSI 0.1", DriftWatcher.PSI_ALERT, "alert " + DriftWatcher.PSI_ALERT));
            out.println("  report                 " + settings.report().toAbsolutePath().toUri());
        } catch (IOException e) {
            out.println("  report                 not written: " + e);
        }
    }

    private static String recoveryText(DemoSummary s) {
        return s.recoveryMillis() < 0 ? "no version promoted after the drift served yet"
                : minutesAndSeconds(s.recoveryMillis()) + " of event time from the drift until a version promoted after it"
                        + " serves (half of the predictions; labels come within the " + minutesAndSeconds(FEEDBACK_WINDOW.toMillis()) + " feedback window)";
    }

    private static String minutesAndSeconds(long millis) {
        long seconds = Math.round(millis / 1000.0);
        return seconds >= 60 ? String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60) : seconds + " s";
    }

    private static String byVersion(Map<Long, Long> counts) {
        StringBuilder text = new StringBuilder("(");
        counts.forEach((version, n) -> text.append(text.length() > 1 ? ", " : "").append(String.format(Locale.ROOT, "v%d: %,d", version, n)));
        return text.append(')').toString();
    }

    /**
     * Waits until every scoring subtask serves {@code version}, so that the first live event is scored
     * as it arrives rather than queued behind the job's start-up (restoring the savepoint, loading the
     * model): the latency line then shows serving, not start-up. Gives up after a while and says so;
     * events that come before the model are held, not lost.
     */
    private void awaitModelServed(JobClient client, String jobName, long version) throws Exception {
        long started = System.nanoTime();
        long deadline = started + MODEL_SERVED_WITHIN.toNanos();
        while (System.nanoTime() - deadline < 0) {
            List<Long> serving = ProgressCounters.values(jobName, "loopline.model_version");
            if (serving.size() >= settings.parallelism() && serving.stream().allMatch(v -> v >= version)) {
                out.printf(Locale.ROOT, "%s v%d serves on all %d subtasks after %.1f s: live events start now%n", MODEL, version,
                        serving.size(), (System.nanoTime() - started) / 1e9);
                return;
            }
            if (client.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                throw new IllegalStateException("the Flink job ended before it served " + MODEL + " v" + version);
            }
            Thread.sleep(100);
        }
        out.printf("%s v%d is not served on every subtask after %s; live events start anyway (held until it is)%n", MODEL, version,
                MODEL_SERVED_WITHIN);
    }

    private void stopJob(JobClient client) {
        try {
            JobStatus status = client.getJobStatus().get(10, TimeUnit.SECONDS);
            if (!status.isGloballyTerminalState()) {
                client.cancel().get(60, TimeUnit.SECONDS);
            }
            out.println("Flink job stopped.");
        } catch (Exception e) {
            out.println("Could not cancel the Flink job cleanly: " + e);
        }
    }

    private static String latencyText(DemoSummary s) {
        return String.format(Locale.ROOT, "p50 %.0f ms, p99 %.0f ms over the whole run; p50 %.0f ms, p99 %.0f ms for events sent after its first %d s"
                        + " (JIT warm-up, first checkpoints); from the producer to a consumer reading it (%s)", s.p50LatencyMillis(), s.p99LatencyMillis(),
                s.steadyP50LatencyMillis(), s.steadyP99LatencyMillis(), s.latencyWarmUp().toSeconds(), s.predictionsDelivery());
    }

    private static String cpuText(MachineCpu.Usage u) {
        String broker = Double.isNaN(u.brokerCores()) ? "" : String.format(Locale.ROOT, ", the Kafka broker %.2f", u.brokerCores());
        String verdict = u.cpuBound()
                ? "; CPU-bound: the loop cannot keep up with this --rate here, so the latency above is mostly queueing (a lower --rate shows the path's own)"
                : "";
        return String.format(Locale.ROOT, "%.2f of %d cores busy: this JVM (generator, both jobs, consumers) %.2f%s, the rest of the machine %.2f%s",
                u.machineCores(), u.cores(), u.selfCores(), broker, u.restCores(), verdict);
    }

    private void printSummary(DemoSummary s) {
        out.println();
        out.println("Loopline demo summary");
        out.printf(Locale.ROOT, "  history backfilled     %,d training rows (BATCH)%n", s.historyRows());
        out.printf(Locale.ROOT, "  live events produced   %,d (%,d valid, %,d malformed)%n", s.produced(), s.validProduced(), s.malformedProduced());
        out.printf(Locale.ROOT, "  feature log committed  %,d (%,d distinct event ids, %,d duplicates, %,d missing)%n",
                s.committedFeatures(), s.distinctFeatures(), s.duplicates(), s.missing());
        out.printf(Locale.ROOT, "  predictions committed  %,d (%,d distinct event ids; by model version %s)%n",
                s.committedPredictions(), s.distinctPredictions(), s.predictionsByVersion());
        out.printf(Locale.ROOT, "  prediction latency     %s%n", latencyText(s));
        if (s.cpu() != null) {
            out.printf(Locale.ROOT, "  CPU (live run)         %s%n", cpuText(s.cpu()));
        }
        out.printf(Locale.ROOT, "  dead letters committed %,d %s%n", s.deadLetters(), s.deadLettersByReason());
        out.printf(Locale.ROOT, "  chargebacks produced   %,d (every other event: label 0 when its 1-minute feedback window closes)%n", s.chargebacks());
        out.printf(Locale.ROOT, "  drift injected         after %.0f %% of the live events (amounts x4, a fraud ring at electronics and gaming merchants)%n", settings.driftAt() * 100);
        out.printf(Locale.ROOT, "  change points          %s%n", s.detections().isEmpty() ? "none yet" : s.detections());
        out.printf(Locale.ROOT, "  drifted features       %s (PSI over %.2f after the drift, not before)%n", s.driftedFeatures().keySet(),
                DriftWatcher.PSI_ALERT);
        if (s.driftedFeatures().isEmpty()) {
            out.printf(Locale.ROOT, "                         (windows close %s of event time behind the feature log: with fewer than ~100,000 live"
                    + " events the stream ends before the drifted ones do)%n", FEATURE_LOG_DISORDER.plus(DRIFT_WINDOW));
        }
        out.printf(Locale.ROOT, "  unlike the history     %s (PSI over %.2f already before the drift: the 17-minute history never filled its 1 h and 24 h windows, and covers other hours)%n",
                s.differentFromHistory(), DriftWatcher.PSI_ALERT);
        out.printf(Locale.ROOT, "  latest accuracy        %s (rolling, per model version)%n", s.accuracyByVersion());
        out.printf(Locale.ROOT, "  retraining             %s; %d challenger(s) rejected by the gate%n",
                s.promotions().isEmpty() ? "nothing promoted" : String.join("; ", s.promotions()), s.rejections());
        out.printf(Locale.ROOT, "  accuracy story         %.3f before the drift -> %.3f after it -> %.3f once the retrained version serves%n",
                s.accuracyBeforeDrift(), s.accuracyAfterDrift(), s.accuracyAfterPromotion());
        out.printf(Locale.ROOT, "  recovery               %s%n", recoveryText(s));
        out.printf(Locale.ROOT, "  by merchant (slices)   %s%n", drift.sliceAccuracy());
        out.printf(Locale.ROOT, "  time                   %.1f s, %,.0f events/s end to end (Kafka -> Flink -> Kafka, committed)%n",
                s.seconds(), s.eventsPerSecond());
        out.printf("  exactly-once           %s%n", s.exactlyOnce() ? "yes: every event's features committed once, and one prediction each"
                : s.complete() ? "NO: see the counts above" : "not checked (run ended before all events were committed)");
    }

}
