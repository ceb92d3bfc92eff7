package io.loopline.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.io.EventSources;
import io.loopline.io.InputFormat;
import io.loopline.jobs.KafkaIo;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.ProgressCounters;
import io.loopline.jobs.ServingJob;
import io.loopline.jobs.backfill.BackfillJob;
import io.loopline.jobs.backfill.BackfillProgress;
import io.loopline.jobs.learning.LearningJob;
import io.loopline.jobs.training.InitialTraining;
import io.loopline.kafka.KafkaModelAnnouncer;
import io.loopline.kafka.KafkaTopics;
import io.loopline.kafka.ModelAnnouncements;
import io.loopline.local.LocalKafka;
import io.loopline.operators.drift.ReferenceBins;
import io.loopline.operators.features.ProfileAccumulator;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.retraining.TrainerSettings;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.profile.ReferenceProfile;
import io.loopline.state.records.LearningEvent;
import io.loopline.state.records.ReportSubject;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the whole system on a labelled file and measures it as a user would: the first rows are
 * history (backfilled in BATCH, a first model trained on them), the rest are replayed into Kafka as
 * a live stream with labels arriving later; the serving job scores every event and the learning job
 * evaluates and (unless the policy is frozen) retrains, gates and promotes. The prequential accuracy
 * is computed from the committed predictions against the file's labels.
 */
public final class PrequentialEvaluation {
    private static final String MODEL = "model";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param policy frozen, stateless, stateful or online
     * @param trainer the continual trainer's settings; null when frozen
     * @param rate replayed rows per second (the trainer's speed is measured against it); unused in lockstep
     * @param lockstepRows with a positive value the replay runs in lockstep with the loop: every this many rows it waits until
     *     the labels written so far have reached the trainer, no challenger trains and serving has the champion (0: paced by rate)
     * @param export a CSV file for what was served, row by row (see {@link ServedExport}), or null
     */
    public record Settings(FeatureSpec spec, Path data, String labelColumn, int labelDelayRows, String policy, double warmupFraction, double rate,
            NetworkSettings network, TrainerSettings trainer, int parallelism, Duration checkpointInterval, Duration timeout, int lockstepRows,
            Path export) {
        public Settings {
            if (lockstepRows < 0) {
                throw new IllegalArgumentException("--lockstep-rows must be >= 0, got " + lockstepRows);
            }
            if (!List.of("frozen", "stateless", "stateful", "online").contains(policy)) {
                throw new IllegalArgumentException("--policy must be frozen, stateless, stateful or online, got '" + policy + "'");
            }
            if (!(warmupFraction > 0 && warmupFraction < 1)) {
                throw new IllegalArgumentException("--warmup-fraction must be in (0, 1), got " + warmupFraction);
            }
            if (!policy.equals("frozen") && trainer == null) {
                throw new IllegalArgumentException("policy " + policy + " needs trainer settings");
            }
        }

        /** Without an export. */
        public Settings(FeatureSpec spec, Path data, String labelColumn, int labelDelayRows, String policy, double warmupFraction, double rate,
                NetworkSettings network, TrainerSettings trainer, int parallelism, Duration checkpointInterval, Duration timeout, int lockstepRows) {
            this(spec, data, labelColumn, labelDelayRows, policy, warmupFraction, rate, network, trainer, parallelism, checkpointInterval, timeout,
                    lockstepRows, null);
        }

        /** Paced by {@code rate} rows per second of wall-clock time. */
        public Settings(FeatureSpec spec, Path data, String labelColumn, int labelDelayRows, String policy, double warmupFraction, double rate,
                NetworkSettings network, TrainerSettings trainer, int parallelism, Duration checkpointInterval, Duration timeout) {
            this(spec, data, labelColumn, labelDelayRows, policy, warmupFraction, rate, network, trainer, parallelism, checkpointInterval, timeout, 0);
        }

        public boolean lockstep() {
            return lockstepRows > 0;
        }
    }

    private final Settings settings;
    private final PrintStream log;

    public PrequentialEvaluation(Settings settings, PrintStream log) {
        this.settings = settings;
        this.log = log;
    }

    /** Labelled examples per evaluation window of the learning job this command runs (reported every 100). */
    static final int EVALUATION_WINDOW = 500;

    /** A lockstep replay gives up when the loop shows no progress for this long (a challenger trains meanwhile). */
    private static final Duration LOCKSTEP_STALL = Duration.ofMinutes(3);

    /** How long the drift topic may take to commit the last reports the loop counted. */
    private static final Duration REPORTS_TIMEOUT = Duration.ofSeconds(60);

    public EvaluationResult run(String bootstrapServers) throws Exception {
        long started = System.nanoTime();
        Path work = Files.createTempDirectory("loopline-evaluate-");
        LocalKafka local = null;
        try {
            String bootstrap = bootstrapServers;
            if (bootstrap == null) {
                local = LocalKafka.start();
                bootstrap = local.bootstrapServers();
                log.printf("Local Kafka broker at %s%n", bootstrap);
            }
            return run(bootstrap, work, started);
        } finally {
            if (local != null) {
                local.close();
            }
            deleteWhenReleased(work);
        }
    }

    /** The job has stopped when this runs, but a closing task may still be removing its last checkpoint files. */
    private static void deleteWhenReleased(Path work) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                io.loopline.io.LocalFiles.deleteRecursively(work);
                return;
            } catch (java.nio.file.DirectoryNotEmptyException | java.nio.file.NoSuchFileException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50); // retried on the observed condition: the folder is empty once Flink let go of it
            }
        }
    }

    private EvaluationResult run(String bootstrap, Path work, long started) throws Exception {
        FeatureSpec spec = settings.spec();
        List<byte[]> rows = FileReplay.read(settings.data(), spec);
        if (spec.hasLabelHistory()) {
            // The history's labels arrive as the replay's do: the label delay in rows, as event time. In lockstep an event
            // may wait for its labels as long as a step may take: what it knows must not depend on the machine's speed.
            var timing = spec.labelTiming().withArrivalDelay(Duration.ofMillis(rowStep(rows, spec) * settings.labelDelayRows()));
            spec = spec.withLabelTiming(settings.lockstep() ? timing.withMaxWait(LOCKSTEP_STALL) : timing);
        }
        int warmup = (int) Math.floor(rows.size() * settings.warmupFraction());
        Path history = work.resolve("history.jsonl");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(history), 1 << 16)) {
            for (int i = 0; i < warmup; i++) {
                out.write(rows.get(i));
                out.write('\n');
            }
        }
        log.printf(Locale.ROOT, "%s: %,d rows; the first %,d (%.0f %%) are history%n", settings.data().getFileName(), rows.size(), warmup,
                settings.warmupFraction() * 100);
        Path backfillDir = work.resolve("backfill");
        BackfillJob.Result backfilled = new BackfillJob(EventSources.files(List.of(new org.apache.flink.core.fs.Path(history.toUri())), InputFormat.JSONL,
                spec.csv()), spec, new org.apache.flink.core.fs.Path(backfillDir.toUri()),
                new BackfillJob.Settings(1, 128, ProfileAccumulator.DEFAULT_BINS, true, true)).run(BackfillProgress.NONE);
        String storeRoot = work.resolve("models").toUri().toString();
        var store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(storeRoot));
        InitialTraining.Result v1 = new InitialTraining(spec, settings.network(), 0.2)
                .run(new org.apache.flink.core.fs.Path(backfillDir.resolve(BackfillJob.TRAINING_DIR).toUri()), store, MODEL);
        log.printf(Locale.ROOT, "v1 trained on %,d history rows: validation accuracy %.4f%n", v1.trainingRows(), v1.validation().accuracy());

        String run = Long.toHexString(System.currentTimeMillis());
        String events = "eval-" + run + "-events";
        String labels = "eval-" + run + "-labels";
        String predictions = "eval-" + run + "-predictions";
        String featureLog = "eval-" + run + "-feature-log";
        String shadowLog = "eval-" + run + "-shadow-log";
        String models = "eval-" + run + "-models";
        String drift = "eval-" + run + "-drift";
        String deadLetters = "eval-" + run + "-dead-letters";
        Map<String, Integer> topics = new LinkedHashMap<>();
        for (String topic : List.of(events, labels, predictions, featureLog, shadowLog, models, drift, deadLetters)) {
            topics.put(topic, 1);
        }
        KafkaTopics.ensure(bootstrap, topics, java.util.Set.of(models), Duration.ofSeconds(30));
        ModelAnnouncements.announce(bootstrap, models, store, v1.model());

        long step = rowStep(rows, spec);
        var reference = ReferenceProfile.read(new org.apache.flink.core.fs.Path(backfillDir.resolve(BackfillJob.PROFILE_FILE).toUri()));
        io.loopline.operators.scoring.ModelStoreSupplier storeSupplier = () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(storeRoot));
        var serving = new ServingJob(KafkaIo.events(bootstrap, events, "eval-" + run, false), null, KafkaIo.deadLetters(bootstrap, deadLetters, "eval-dl-" + run),
                new ServingJob.Settings(spec, backfilled.fit(), 128))
                .withScoring(new ServingJob.Scoring(KafkaIo.models(bootstrap, models, "eval-" + run, false),
                        KafkaIo.predictions(bootstrap, predictions, "eval-p-" + run), MODEL, storeSupplier, 64, 20, 1_000_000))
                .withFeatureLog(KafkaIo.featureLog(bootstrap, featureLog, spec.name(), "eval-fl-" + run))
                .withShadowLog(KafkaIo.shadowLog(io.loopline.kafka.KafkaConnection.of(bootstrap), shadowLog, spec.name(), "eval-sl-" + run));
        if (spec.hasLabelHistory()) {
            serving.withLabels(KafkaIo.raw(bootstrap, labels, "eval-lh-" + run));
        }
        // Labels come labelDelay rows after their event: the feedback window covers that, and the evaluation windows are in rows.
        var learningSettings = LearningJob.Settings.from(new org.apache.flink.configuration.Configuration()
                        .set(io.loopline.jobs.config.LearningOptions.FEEDBACK_WINDOW, Duration.ofMillis(step * (settings.labelDelayRows() + 2L)))
                        .set(io.loopline.jobs.config.LearningOptions.OUT_OF_ORDERNESS, Duration.ofMillis(step))
                        .set(io.loopline.jobs.config.LearningOptions.EVALUATION_WINDOW, EVALUATION_WINDOW)
                        .set(io.loopline.jobs.config.LearningOptions.EVALUATION_SLIDE, 100)
                        .set(io.loopline.jobs.config.LearningOptions.DRIFT_WINDOW, Duration.ofMillis(step * 500)),
                ReferenceBins.of(reference), storeSupplier, null);
        if (settings.trainer() != null) {
            learningSettings = learningSettings.withRetraining(new LearningJob.Retraining(settings.trainer(), new KafkaModelAnnouncer(bootstrap, models)));
        }
        var learning = new LearningJob(KafkaIo.raw(bootstrap, featureLog, "eval-l-" + run), KafkaIo.raw(bootstrap, labels, "eval-l-" + run),
                KafkaIo.drift(bootstrap, drift, "eval-d-" + run), KafkaIo.deadLetters(bootstrap, deadLetters, "eval-ldl-" + run), learningSettings)
                .withShadowLog(KafkaIo.raw(bootstrap, shadowLog, "eval-ls-" + run));
        var conf = LocalEnvironments.streamingConfiguration(settings.parallelism(), work.resolve("checkpoints"), settings.checkpointInterval());
        // The loop's own metrics, read in this JVM: the lockstep replay waits on them.
        ProgressCounters.reportingTo(conf);
        if (settings.lockstep()) {
            // A row is served once a later row moves event time on: watermarks often, so each step waits little for them.
            conf.set(org.apache.flink.configuration.PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofMillis(20));
        }
        var env = StreamExecutionEnvironment.getExecutionEnvironment(LocalEnvironments.restoringFrom(conf, backfilled.savepoint().toString()));
        serving.build(env);
        learning.build(env);
        String jobName = "Loopline Evaluate (" + settings.policy() + ") " + run;
        JobClient client = env.executeAsync(jobName);
        try {
            FileReplay replay = new FileReplay(spec, settings.data(), settings.labelColumn()).rows(warmup + 1, rows.size())
                    .labelDelayRows(settings.labelDelayRows());
            LoopLockstep lockstep = null;
            if (settings.lockstep()) {
                lockstep = new LoopLockstep(jobName, settings.trainer() != null, LOCKSTEP_STALL, log);
                replay.lockstep(lockstep, settings.lockstepRows());
            } else {
                replay.rate(settings.rate());
            }
            FileReplay.Result replayed = replay.run(bootstrap, events, labels);
            log.printf(Locale.ROOT, "Replayed %,d rows and %,d labels in %.1f s (%,d invalid)%s%n", replayed.rows().size(), replayed.labels(),
                    replayed.seconds(), replayed.invalid(), lockstep == null ? ", paced at " + settings.rate() + " rows/s"
                            : String.format(Locale.ROOT, ", in lockstep with the loop every %d rows (%.1f s waiting on it)", settings.lockstepRows(),
                                    lockstep.waitedSeconds()));
            Map<String, double[]> served = awaitPredictions(bootstrap, predictions, replayed.rows().size(), client);
            Map<String, Long> reports = awaitReports(bootstrap, drift, jobName);
            if (settings.export() != null) {
                ServedExport.write(settings.export(), spec, replayed.rows(), readFeatureLog(bootstrap, featureLog, replayed.rows().size()));
                log.printf(Locale.ROOT, "Exported the served rows to %s%n", settings.export());
            }
            return score(replayed, rows, warmup, served, reports, v1, (System.nanoTime() - started) / 1e9);
        } finally {
            client.cancel().get(60, TimeUnit.SECONDS);
            awaitTerminal(client);
            ProgressCounters.forget(jobName);
        }
    }

    /** Cancelling is acknowledged before the tasks are gone; the scratch folder is removed only after they are. */
    private static void awaitTerminal(JobClient client) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                if (client.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                    return;
                }
            } catch (java.util.concurrent.ExecutionException | IllegalStateException e) {
                return; // the per-job MiniCluster has shut down: nothing of the job runs any more
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the evaluation job did not stop within 60 s of being cancelled");
    }

    private static boolean sameClass(List<Double> labels, int at, double label) {
        return at >= 0 && !Double.isNaN(labels.get(at)) && (labels.get(at) >= 0.5) == (label >= 0.5);
    }

    /** The event-time step between consecutive rows (the first two decodable rows), for windows measured in rows. */
    private static long rowStep(List<byte[]> rows, FeatureSpec spec) throws Exception {
        var decoder = new io.loopline.operators.decode.EventDecoder(spec.schema());
        long first = decoder.decode(rows.get(0)).timestamp();
        long second = decoder.decode(rows.get(1)).timestamp();
        return Math.max(1, second - first);
    }

    private Map<String, double[]> awaitPredictions(String bootstrap, String topic, int expected, JobClient client) throws Exception {
        Map<String, double[]> served = new HashMap<>();
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        long lastReport = System.nanoTime();
        try (var reader = new CommittedTopicReader(bootstrap, topic)) {
            while (served.size() < expected) {
                for (byte[] value : reader.poll(Duration.ofMillis(500))) {
                    JsonNode p = JSON.readTree(value);
                    served.put(p.path("eventId").asText(), new double[] {p.path("score").asDouble(), p.path("modelVersion").asLong()});
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + served.size() + " of " + expected + " predictions committed within " + settings.timeout());
                }
                if (client.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                    throw new IllegalStateException("the job ended early: " + client.getJobStatus().get());
                }
                if (System.nanoTime() - lastReport > 5e9) {
                    log.printf(Locale.ROOT, "  %,d of %,d predictions committed%n", served.size(), expected);
                    lastReport = System.nanoTime();
                }
            }
        }
        return served;
    }

    /** The committed feature log by event id: the features each row was served with, its score and version. */
    private Map<String, JsonNode> readFeatureLog(String bootstrap, String topic, int expected) throws Exception {
        Map<String, JsonNode> logged = new HashMap<>();
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        try (var reader = new CommittedTopicReader(bootstrap, topic)) {
            while (logged.size() < expected && System.nanoTime() < deadline) {
                for (byte[] value : reader.poll(Duration.ofMillis(500))) {
                    JsonNode record = JSON.readTree(value);
                    logged.put(record.path("eventId").asText(), record);
                }
            }
        }
        return logged;
    }

    /**
     * The drift topic's reports once it holds every outcome the loop's own counters have seen (the
     * last ones are committed with a later checkpoint than the predictions).
     */
    private Map<String, Long> awaitReports(String bootstrap, String topic, String jobName) throws Exception {
        long outcomes = ProgressCounters.total(jobName, "loopline.challengers_promoted") + ProgressCounters.total(jobName, "loopline.challengers_rejected")
                + ProgressCounters.total(jobName, "loopline.challengers_shadowed") + ProgressCounters.total(jobName, "loopline.rollbacks");
        long drifts = ProgressCounters.totalOver(jobName, "loopline.detector.", ".drift_detected");
        long deadline = System.nanoTime() + REPORTS_TIMEOUT.toNanos();
        while (true) {
            Map<String, Long> reports = countReports(bootstrap, topic);
            long reported = reports.getOrDefault("challenger_promoted", 0L) + reports.getOrDefault("challenger_rejected", 0L)
                    + reports.getOrDefault("challenger_shadowed", 0L) + reports.getOrDefault("rollbacks", 0L);
            if (reported >= outcomes && reports.getOrDefault("drifts", 0L) >= drifts) {
                return reports;
            }
            if (System.nanoTime() > deadline) {
                log.printf(Locale.ROOT, "Note: the drift topic holds %d of %d trainer outcomes and %d of %d change points after %s; counting those%n",
                        reported, outcomes, reports.getOrDefault("drifts", 0L), drifts, REPORTS_TIMEOUT);
                return reports;
            }
        }
    }

    private static Map<String, Long> countReports(String bootstrap, String topic) throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        try (var reader = new CommittedTopicReader(bootstrap, topic)) {
            for (List<byte[]> batch = reader.poll(Duration.ofSeconds(2)); !batch.isEmpty(); batch = reader.poll(Duration.ofSeconds(1))) {
                for (byte[] value : batch) {
                    JsonNode r = JSON.readTree(value);
                    String statistic = r.path("statistic").asText();
                    String subject = r.path("subject").asText();
                    if (ReportSubject.ERRORS.is(subject)) {
                        counts.merge("drifts", 1L, Long::sum);
                    } else if (ReportSubject.SHADOW.is(subject)) {
                        counts.merge(statistic, 1L, Long::sum); // a shadow's live verdict: its training was counted when it became a shadow
                    } else if (LearningEvent.CHALLENGER_SHADOWED.is(statistic) || LearningEvent.CHALLENGER_PROMOTED.is(statistic)
                            || LearningEvent.CHALLENGER_REJECTED.is(statistic)) {
                        counts.merge(statistic, 1L, Long::sum);
                        counts.merge("training_rows", r.path("count").asLong(), Long::sum);
                    } else if (LearningEvent.ROLLBACK.is(statistic)) {
                        counts.merge("rollbacks", 1L, Long::sum);
                    }
                }
            }
        }
        return counts;
    }

    private EvaluationResult score(FileReplay.Result replayed, List<byte[]> rows, int warmup, Map<String, double[]> served, Map<String, Long> reports,
            InitialTraining.Result v1, double wallSeconds) throws Exception {
        var decoder = new io.loopline.operators.decode.EventDecoder(settings.spec().schema());
        // Every label in stream order, history first: the no-change baselines look back in it.
        List<Double> labels = new java.util.ArrayList<>();
        for (int i = 0; i < warmup; i++) {
            try {
                labels.add(decoder.decode(rows.get(i)).label());
            } catch (io.loopline.operators.decode.InvalidEventException e) {
                // an undecodable history row is not part of the stream
            }
        }
        int delay = settings.labelDelayRows();
        long n = 0;
        long correct = 0;
        long noChange = 0;
        long noChangeImmediate = 0;
        Map<Long, Long> byVersion = new TreeMap<>();
        List<EvaluationResult.Served> outcomes = new java.util.ArrayList<>(replayed.rows().size());
        for (FileReplay.Row row : replayed.rows()) {
            int position = labels.size();
            labels.add(row.label());
            double[] prediction = served.get(row.eventId());
            if (prediction == null || Double.isNaN(row.label())) {
                continue;
            }
            n++;
            boolean right = (prediction[0] >= 0.5) == (row.label() >= 0.5);
            if (right) {
                correct++;
            }
            outcomes.add(new EvaluationResult.Served(right, (long) prediction[1]));
            if (sameClass(labels, position - delay - 1, row.label())) {
                noChange++; // the newest label the system can know when it serves this row (its delay allows no later one)
            }
            if (sameClass(labels, position - 1, row.label())) {
                noChangeImmediate++;
            }
            byVersion.merge((long) prediction[1], 1L, Long::sum);
        }
        double accuracy = (double) correct / n;
        double baseline = (double) noChange / n;
        return new EvaluationResult(settings.policy(), n, accuracy, baseline, (double) noChangeImmediate / n, (accuracy - baseline) / (1 - baseline),
                reports.getOrDefault("challenger_promoted", 0L), reports.getOrDefault("challenger_rejected", 0L),
                reports.getOrDefault("challenger_shadowed", 0L), reports.getOrDefault("rollbacks", 0L),
                reports.getOrDefault("training_rows", 0L), reports.getOrDefault("drifts", 0L), warmup, v1.trainingRows(), byVersion, replayed.seconds(),
                wallSeconds, outcomes);
    }
}
