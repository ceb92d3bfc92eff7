package io.loopline.operators.retraining;

import io.loopline.operators.metrics.BinaryMetrics;
import io.loopline.operators.scoring.ModelStoreSupplier;
import io.loopline.operators.training.BinaryClassifier;
import io.loopline.state.model.ModelDraft;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.model.ModelStore;
import io.loopline.state.records.ChallengerRun;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.LabeledPrediction;
import io.loopline.state.records.ModelAnnouncement;
import io.loopline.state.records.MonitoringReport;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps learning: buffers labelled examples (input 1) in a recency-biased reservoir in keyed state,
 * listens to the evaluation's reports (input 2: detector change points, rolling metrics of the
 * champion) and, when the {@link RetrainPolicy} admits a trigger, trains a challenger on the buffer,
 * warm-started from the champion's weights and updater state ({@link TrainingMode#STATEFUL}) or from
 * scratch. Training runs in steps of a few mini-batches on processing-time timers, so records and
 * checkpoint barriers are handled between steps; the challenger's network and progress are in keyed
 * state (written before each barrier), so a restored trainer continues the same run. When the run is
 * done, champion and challenger are scored on the holdout (the newest examples, never trained on) and
 * the {@link PromotionGate} decides: a promoted challenger is published to the model store with its
 * lineage and announced; its id is in its metrics, so a trainer restored after publishing does not
 * publish it again. A promoted version whose live accuracy falls below its predecessor's by more than
 * the rollback margin is rolled back (the predecessor's artifact is published again as a new version).
 *
 * <p>Runs at parallelism 1 with both inputs keyed by {@link #KEY}. Output: reports for the
 * {@code drift} topic (see docs/metrics.md).
 */
public final class ContinualTrainer extends AbstractStreamOperator<MonitoringReport>
        implements TwoInputStreamOperator<LabeledPrediction, MonitoringReport, MonitoringReport>, Triggerable<Integer, VoidNamespace> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ContinualTrainer.class);

    /** The constant key of both inputs: the trainer is one logical instance with its state in the keyed backend. */
    public static final int KEY = 0;

    private static final int SEEN = 0;
    private static final int SIZE = 1;
    private static final int TRAINING_ROWS = 2;
    private static final int PROMOTED = 3;
    private static final int REJECTED = 4;
    private static final int ROLLED_BACK = 5;

    private final TrainerSettings settings;
    private final ModelStoreSupplier models;
    private final ModelAnnouncer announcer;

    private transient ModelStore store;
    private transient RecencyReservoir reservoir;
    private transient MapState<Integer, FeatureVector> buffer;
    private transient ValueState<long[]> countersState;
    private transient ValueState<long[]> triggersState;
    private transient ValueState<double[]> watchState;
    private transient ValueState<long[]> shadowState;
    private transient ValueState<long[]> awaitingState;
    private transient ValueState<double[]> shadowWindowsState;
    private transient ValueState<ChallengerRun> runState;
    private transient ValueState<byte[]> challengerState;
    private transient MapState<Integer, FeatureVector> runRows;
    private transient InternalTimerService<VoidNamespace> steps;

    // The working set, read from keyed state on first use and written back before each barrier.
    private transient boolean loaded;
    private transient long[] counters;
    private transient RetrainTriggers triggers;
    private transient Watch watch;
    private transient Shadow shadow;
    private transient ShadowComparison comparison;
    private transient Awaiting awaiting;
    /** The latest labelled example's event time: the time of reports made on processing time. */
    private transient long latestEventTime = Long.MIN_VALUE;
    private transient Map<Long, Double> lastAccuracy;
    private transient ChallengerRun run;
    private transient ChallengerTraining training;

    private transient Map<Long, Double> references;
    private transient long championVersion;
    private transient MetricGroup metrics;
    private transient Map<String, Counter> triggerCounters;
    private transient Map<String, Counter> refusalCounters;
    private transient Counter promotedCounter;
    private transient Counter rejectedCounter;
    private transient Counter rollbackCounter;
    private transient Counter shadowedCounter;
    private transient Counter trainingRowsCounter;

    /** A promoted version on probation: compared with its predecessor's last live accuracy. */
    private record Watch(long version, long previous, double previousAccuracy) {}

    /**
     * A challenger that passed the holdout, running as a shadow beside {@code champion} since
     * {@code seenAtStart} examples; given up at {@code deadline} (processing time) without a verdict.
     */
    private record Shadow(long version, long champion, long seenAtStart, long deadline) {}

    /**
     * An admitted drift trigger waiting for {@link RetrainPolicy#afterDriftExamples()} labelled examples
     * after the change point ({@code seenAtTrigger} examples had been seen at it).
     */
    private record Awaiting(RetrainTriggers.Trigger trigger, long seenAtTrigger) {
        /** Detector names by index, for keyed state as numbers. */
        private static final List<String> DETECTORS = List.of("adwin", "page-hinkley", "ddm");

        long[] state() {
            return new long[] {trigger.time(), seenAtTrigger, DETECTORS.indexOf(trigger.detail())};
        }

        static Awaiting restore(long[] state) {
            return new Awaiting(new RetrainTriggers.Trigger(RetrainTriggers.Cause.DRIFT, DETECTORS.get((int) state[2]), state[0]), state[1]);
        }
    }

    public ContinualTrainer(TrainerSettings settings, ModelStoreSupplier models, ModelAnnouncer announcer) {
        this.settings = settings;
        this.models = models;
        this.announcer = announcer;
    }

    @Override
    public void open() throws Exception {
        super.open();
        store = models.open();
        reservoir = new RecencyReservoir(settings.bufferSize(), 0x10091L);
        buffer = getRuntimeContext().getMapState(new MapStateDescriptor<>("trainer-buffer", Types.INT, FeatureVector.TYPE_INFO));
        runRows = getRuntimeContext().getMapState(new MapStateDescriptor<>("trainer-run-rows", Types.INT, FeatureVector.TYPE_INFO));
        countersState = getRuntimeContext().getState(new ValueStateDescriptor<>("trainer-counters", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        triggersState = getRuntimeContext().getState(new ValueStateDescriptor<>("trainer-triggers", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        watchState = getRuntimeContext().getState(new ValueStateDescriptor<>("trainer-watch", PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO));
        shadowState = getRuntimeContext().getState(new ValueStateDescriptor<>("trainer-shadow", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        awaitingState = getRuntimeContext().getState(new ValueStateDescriptor<>("trainer-awaiting-drift-examples",
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        shadowWindowsState = getRuntimeContext().getState(new ValueStateDescriptor<>("trainer-shadow-windows",
                PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO));
        runState = getRuntimeContext().getState(new ValueStateDescriptor<>("trainer-run", ChallengerRun.TYPE_INFO));
        challengerState = getRuntimeContext().getState(new ValueStateDescriptor<>("trainer-challenger",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        steps = getInternalTimerService("trainer-steps", VoidNamespaceSerializer.INSTANCE, this);
        references = new HashMap<>();
        championVersion = store.latest(settings.model()).map(ModelMetadata::version).orElse(0L);
        registerMetrics();
    }

    private void registerMetrics() {
        metrics = getRuntimeContext().getMetricGroup().addGroup("loopline");
        triggerCounters = new HashMap<>();
        for (RetrainTriggers.Cause cause : RetrainTriggers.Cause.values()) {
            triggerCounters.put(cause.label(), metrics.addGroup("cause", cause.label()).counter("retrain_triggers"));
        }
        refusalCounters = new HashMap<>();
        for (RetrainTriggers.Outcome outcome : RetrainTriggers.Outcome.values()) {
            if (outcome != RetrainTriggers.Outcome.ADMITTED) {
                refusalCounters.put(outcome.label(), metrics.addGroup("reason", outcome.label()).counter("retrain_refused"));
            }
        }
        promotedCounter = metrics.counter("challengers_promoted");
        rejectedCounter = metrics.counter("challengers_rejected");
        rollbackCounter = metrics.counter("rollbacks");
        shadowedCounter = metrics.counter("challengers_shadowed");
        metrics.gauge("shadow_version", () -> shadow == null ? -1L : shadow.version());
        trainingRowsCounter = metrics.counter("training_rows");
        metrics.gauge("champion_version", () -> championVersion);
        metrics.gauge("training_in_progress", () -> run == null ? 0 : 1);
        metrics.gauge("retrain_awaiting_examples", () -> awaiting == null || counters == null ? 0L
                : Math.max(0L, awaiting.seenAtTrigger() + settings.policy().afterDriftExamples() - counters[SEEN]));
        metrics.gauge("training_buffer_size", () -> counters == null ? 0L : counters[SIZE]);
        // Labelled examples that reached the trainer since the job began (restored with its state): a replay in lockstep waits on it.
        metrics.gauge("examples_seen", () -> counters == null ? 0L : counters[SEEN]);
        metrics.gauge("challenger_progress", () -> run == null ? 0.0 : progressOf(run, training));
    }

    private static double progressOf(ChallengerRun run, ChallengerTraining training) {
        double done = training == null ? run.rowsProcessed() : training.rowsProcessed();
        return done / Math.max(1.0, (double) run.trainRows() * run.epochs());
    }

    private void ensureLoaded() throws Exception {
        if (loaded) {
            return;
        }
        setCurrentKey(KEY);
        long[] c = countersState.value();
        counters = c == null ? new long[6] : c.clone();
        triggers = new RetrainTriggers(settings.policy());
        long[] t = triggersState.value();
        if (t != null) {
            triggers.restore(t);
        }
        lastAccuracy = new LinkedHashMap<>();
        watch = null;
        double[] w = watchState.value();
        if (w != null) {
            if (w[0] > 0) {
                watch = new Watch((long) w[0], (long) w[1], w[2]);
            }
            for (int i = 3; i + 1 < w.length; i += 2) {
                lastAccuracy.put((long) w[i], w[i + 1]);
            }
        }
        long[] sh = shadowState.value();
        shadow = sh == null ? null : new Shadow(sh[0], sh[1], sh[2], sh[3]);
        double[] windows = shadowWindowsState.value();
        comparison = shadow == null ? null : windows == null ? new ShadowComparison() : ShadowComparison.restore(windows);
        if (shadow != null) {
            championVersion = shadow.champion(); // the store's latest is the shadow itself, which does not serve
        }
        long[] a = awaitingState.value();
        awaiting = a == null ? null : Awaiting.restore(a);
        run = runState.value();
        training = null;
        loaded = true;
    }

    @Override
    public void processElement1(StreamRecord<LabeledPrediction> element) throws Exception {
        LabeledPrediction example = element.getValue();
        if (Double.isNaN(example.label())) {
            return;
        }
        ensureLoaded();
        FeatureVector served = example.served().features();
        int slot = reservoir.slotFor(counters[SEEN], (int) counters[SIZE]);
        buffer.put(slot, new FeatureVector(served.eventId(), served.entity(), served.timestamp(), served.values(), example.label()));
        if (slot == counters[SIZE]) {
            counters[SIZE]++;
        }
        counters[SEEN]++;
        latestEventTime = Math.max(latestEventTime, served.timestamp());
        if (awaiting != null && counters[SEEN] - awaiting.seenAtTrigger() >= settings.policy().afterDriftExamples()) {
            RetrainTriggers.Trigger trigger = awaiting.trigger();
            awaiting = null;
            startRun(trigger, trigger.time());
            return;
        }
        consider(triggers.onExample(served.timestamp()));
    }

    @Override
    public void processElement2(StreamRecord<MonitoringReport> element) throws Exception {
        MonitoringReport report = element.getValue();
        ensureLoaded();
        if (report.subject().startsWith("shadow")) {
            // A shadow is never the champion: its reports must not move championVersion on.
            if (shadow != null && report.subject().equals("shadow/time") && report.statistic().equals("accuracy")
                    && report.modelVersion() == shadow.version()) {
                comparison.shadow(report.windowStart(), report.value(), report.count());
                judgeShadowIfDue(report.windowEnd());
            }
            return;
        }
        if (shadow != null && report.subject().equals("model/time") && report.statistic().equals("accuracy")
                && report.modelVersion() == shadow.champion()) {
            comparison.champion(report.windowStart(), report.value(), report.count());
            judgeShadowIfDue(report.windowEnd());
        }
        if (shadow != null && report.modelVersion() > shadow.champion()) {
            // A newer version serves (a manual promotion): the trial compares with a champion that is gone.
            abandonShadow("v" + report.modelVersion() + " serves now", report.windowEnd());
        }
        if (report.modelVersion() > championVersion) {
            championVersion = store.latest(settings.model()).map(ModelMetadata::version).orElse(championVersion);
        }
        if (report.subject().equals("error") && report.modelVersion() == championVersion) {
            consider(triggers.onDetector(report.statistic(), report.windowEnd()));
        } else if (report.subject().equals("model") && report.statistic().equals("accuracy")) {
            rememberAccuracy(report.modelVersion(), report.value());
            if (watch != null && report.modelVersion() == watch.version() && report.count() >= settings.rollbackMinExamples()) {
                judgeProbation(report);
            }
        }
        if (report.subject().equals("model") && report.statistic().equals(settings.policy().decayMetric()) && report.modelVersion() == championVersion) {
            consider(triggers.onMetric(report.statistic(), report.value(), reference(championVersion), report.windowEnd()));
        }
    }

    private void rememberAccuracy(long version, double value) {
        lastAccuracy.remove(version);
        lastAccuracy.put(version, value);
        while (lastAccuracy.size() > 4) {
            lastAccuracy.remove(lastAccuracy.keySet().iterator().next());
        }
    }

    private double reference(long version) throws IOException {
        Double cached = references.get(version);
        if (cached == null) {
            String key = switch (settings.policy().decayMetric()) {
                case "log_loss" -> "validation.logLoss";
                default -> "validation." + settings.policy().decayMetric();
            };
            cached = store.get(settings.model(), version).map(m -> m.metrics().getOrDefault(key, Double.NaN)).orElse(Double.NaN);
            references.put(version, cached);
        }
        return cached;
    }

    private void consider(RetrainTriggers.Trigger trigger) throws Exception {
        if (trigger == null) {
            return;
        }
        RetrainTriggers.Outcome outcome = triggers.offer(trigger, run != null || shadow != null || awaiting != null, counters[SIZE]);
        if (outcome != RetrainTriggers.Outcome.ADMITTED) {
            refusalCounters.get(outcome.label()).inc();
            LOG.debug("Retrain trigger {} ({}) refused: {}", trigger.cause().label(), trigger.detail(), outcome.label());
            return;
        }
        triggerCounters.get(trigger.cause().label()).inc();
        long wait = settings.policy().afterDriftExamples();
        if (trigger.cause() == RetrainTriggers.Cause.DRIFT && wait > 0) {
            awaiting = new Awaiting(trigger, counters[SEEN]);
            LOG.info("Retrain trigger {} ({}) admitted: waiting for {} labelled examples after the change point", trigger.cause().label(),
                    trigger.detail(), wait);
            output.collect(new StreamRecord<>(new MonitoringReport("retrain_awaiting", "drift:" + trigger.detail(), championVersion, trigger.time(),
                    trigger.time(), wait, wait, Double.NaN), trigger.time()));
            return;
        }
        startRun(trigger, Long.MIN_VALUE);
    }

    /**
     * Trains a challenger on the buffered examples from {@code since} on (event time) when at least half
     * the awaited examples after a change point are still buffered, else on the whole buffer.
     */
    private void startRun(RetrainTriggers.Trigger trigger, long since) throws Exception {
        Optional<ModelMetadata> champion = store.latest(settings.model());
        if (champion.isEmpty()) {
            LOG.warn("Retrain trigger {} ({}): no version of {} in the model store to start from or compare with", trigger.cause().label(),
                    trigger.detail(), settings.model());
            return;
        }
        ModelMetadata parent = champion.get();
        championVersion = parent.version();
        List<FeatureVector> rows = new ArrayList<>((int) counters[SIZE]);
        for (FeatureVector v : buffer.values()) {
            rows.add(v);
        }
        rows.sort(Comparator.comparingLong(FeatureVector::timestamp).thenComparing(FeatureVector::eventId));
        if (since != Long.MIN_VALUE) {
            List<FeatureVector> fresh = rows.stream().filter(v -> v.timestamp() >= since).toList();
            if (fresh.size() >= Math.max(2, settings.policy().afterDriftExamples() / 2)) {
                rows = fresh;
            }
        }
        int holdout = Math.max(1, (int) Math.round(rows.size() * settings.holdoutFraction()));
        int train = rows.size() - holdout;
        runRows.clear();
        for (int i = 0; i < rows.size(); i++) {
            runRows.put(i, rows.get(i));
        }
        BinaryClassifier network = settings.mode() == TrainingMode.STATEFUL
                ? BinaryClassifier.fromBytes(store.readArtifact(parent))
                : BinaryClassifier.create(parent.dimension(), settings.network());
        long id = new SplittableRandom(System.nanoTime() ^ counters[SEEN]).nextLong(1L << 53);
        run = new ChallengerRun(id, trigger.cause().label(), trigger.detail(), settings.mode().label(), parent.version(), trigger.time(), train, holdout,
                rows.get(0).timestamp(), rows.get(train - 1).timestamp(), rows.get(train).timestamp(), rows.get(rows.size() - 1).timestamp(),
                settings.epochs(), 0, 0, 0);
        training = trainingFor(run, network, rows.subList(0, train));
        runState.update(run);
        challengerState.update(network.toBytes());
        LOG.info("Retraining {} ({}: {}): {} challenger from v{} on {} rows [{} .. {}], holdout {} rows [{} .. {}]", settings.model(),
                run.cause(), run.detail(), run.mode(), parent.version(), train, Instant.ofEpochMilli(run.trainFrom()), Instant.ofEpochMilli(run.trainTo()),
                holdout, Instant.ofEpochMilli(run.holdoutFrom()), Instant.ofEpochMilli(run.holdoutTo()));
        output.collect(new StreamRecord<>(new MonitoringReport("retrain_triggered", run.cause() + ":" + run.detail(), parent.version(), run.trainFrom(),
                run.holdoutTo(), rows.size(), train, Double.NaN), trigger.time()));
        steps.registerProcessingTimeTimer(VoidNamespace.INSTANCE, getProcessingTimeService().getCurrentProcessingTime() + 1);
    }

    private ChallengerTraining trainingFor(ChallengerRun r, BinaryClassifier network, List<FeatureVector> rows) {
        double[][] x = new double[rows.size()][];
        double[] y = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            x[i] = rows.get(i).values();
            y[i] = rows.get(i).label();
        }
        return new ChallengerTraining(network, x, y, r.epochs(), settings.batchSize(), r.id(), r.epoch(), r.batch(), r.rowsProcessed());
    }

    private List<FeatureVector> runRows(int from, int to) throws Exception {
        List<FeatureVector> rows = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            rows.add(runRows.get(i));
        }
        return rows;
    }

    @Override
    public void onProcessingTime(InternalTimer<Integer, VoidNamespace> timer) throws Exception {
        ensureLoaded();
        if (shadow != null && timer.getTimestamp() >= shadow.deadline()) {
            endShadow(false, Double.NaN, Double.NaN, "no live verdict within " + java.time.Duration.ofMillis(settings.gate().shadowTimeoutMillis())
                    + " (is the learning job reading the shadow log?)", latestEventTime);
        }
        if (run == null) {
            return;
        }
        if (training == null) {
            // restored mid-run: the challenger as of the last checkpoint, on the same rows
            training = trainingFor(run, BinaryClassifier.fromBytes(challengerState.value()), runRows(0, run.trainRows()));
            LOG.info("Resuming the {} challenger {} at epoch {} batch {}", run.mode(), Long.toHexString(run.id()), run.epoch(), run.batch());
        }
        if (training.step(settings.batchesPerStep())) {
            judgeChallenger();
        } else {
            steps.registerProcessingTimeTimer(VoidNamespace.INSTANCE, timer.getTimestamp() + Math.max(1, settings.stepIntervalMillis()));
        }
    }

    @Override
    public void onEventTime(InternalTimer<Integer, VoidNamespace> timer) {}

    private void judgeChallenger() throws Exception {
        ChallengerRun done = run.progressed(training.epoch(), training.batch(), training.rowsProcessed());
        List<FeatureVector> holdout = runRows(done.trainRows(), done.trainRows() + done.holdoutRows());
        double[][] x = new double[holdout.size()][];
        double[] y = new double[holdout.size()];
        for (int i = 0; i < holdout.size(); i++) {
            x[i] = holdout.get(i).values();
            y[i] = holdout.get(i).label();
        }
        Optional<ModelMetadata> publishedBefore = publishedVersionOf(done.id());
        // Judged against the run's own parent once it was promoted (the store's latest is then the challenger itself).
        ModelMetadata champion = publishedBefore.isPresent() ? store.get(settings.model(), done.parentVersion()).orElseThrow()
                : store.latest(settings.model()).orElseThrow();
        BinaryMetrics championMetrics = BinaryMetrics.of(BinaryClassifier.fromBytes(store.readArtifact(champion)).score(x, 256), y);
        BinaryMetrics challengerMetrics = BinaryMetrics.of(training.network().score(x, 256), y);
        PromotionGate.Decision decision = settings.gate().decide(championMetrics, challengerMetrics);
        counters[TRAINING_ROWS] += done.rowsProcessed();
        trainingRowsCounter.inc(done.rowsProcessed());
        String subject = done.mode() + "/" + done.cause();
        long version;
        if (decision.promote() && settings.gate().hasShadowStage()) {
            ModelMetadata published = publishOnce(done, champion, training.network(), challengerMetrics, championMetrics);
            announcer.announce(store, published, ModelAnnouncement.Role.SHADOW);
            version = published.version();
            long deadline = getProcessingTimeService().getCurrentProcessingTime() + settings.gate().shadowTimeoutMillis();
            shadow = new Shadow(version, champion.version(), counters[SEEN], deadline);
            comparison = new ShadowComparison();
            steps.registerProcessingTimeTimer(VoidNamespace.INSTANCE, deadline);
            shadowedCounter.inc();
            LOG.info("{} v{} (from v{}, {} challenger, {}) passed the holdout ({}) and runs as a shadow until {} live labelled examples", settings.model(),
                    version, done.parentVersion(), done.mode(), done.cause(), decision.reason(), settings.gate().shadowExamples());
        } else if (decision.promote()) {
            ModelMetadata published = publishOnce(done, champion, training.network(), challengerMetrics, championMetrics);
            announcer.announce(store, published);
            version = published.version();
            watch = Double.isNaN(settings.rollbackMargin()) ? null
                    : new Watch(version, champion.version(), lastAccuracy.getOrDefault(champion.version(), Double.NaN));
            championVersion = version;
            counters[PROMOTED]++;
            promotedCounter.inc();
            LOG.info("Promoted {} v{} (from v{}, {} challenger, {}): {}", settings.model(), version, done.parentVersion(), done.mode(), done.cause(),
                    decision.reason());
        } else {
            version = champion.version();
            counters[REJECTED]++;
            rejectedCounter.inc();
            LOG.info("Rejected the {} challenger of {} ({}), v{} stays: {}", done.mode(), settings.model(), done.cause(), champion.version(),
                    decision.reason());
        }
        long time = done.holdoutTo();
        String outcome = !decision.promote() ? "challenger_rejected" : shadow != null && shadow.version() == version ? "challenger_shadowed"
                : "challenger_promoted";
        output.collect(new StreamRecord<>(new MonitoringReport(outcome, subject, version,
                done.trainFrom(), done.holdoutTo(), done.rowsProcessed(), decision.challenger() - decision.champion(), Double.NaN), time));
        String metric = "holdout_" + settings.gate().metric();
        output.collect(new StreamRecord<>(new MonitoringReport(metric, "challenger", version, done.holdoutFrom(), done.holdoutTo(), x.length,
                decision.challenger(), Double.NaN), time));
        output.collect(new StreamRecord<>(new MonitoringReport(metric, "champion", champion.version(), done.holdoutFrom(), done.holdoutTo(), x.length,
                decision.champion(), Double.NaN), time));
        run = null;
        training = null;
        runState.clear();
        challengerState.clear();
        runRows.clear();
    }

    /** Judges the shadow once the windows compared with the champion hold enough of its examples. */
    private void judgeShadowIfDue(long time) throws Exception {
        if (comparison.shadowExamples() < settings.gate().shadowExamples()) {
            return;
        }
        double live = comparison.shadowAccuracy();
        double champion = comparison.championAccuracy();
        boolean promote = live >= champion + settings.gate().shadowMargin();
        endShadow(promote, live, champion, String.format(java.util.Locale.ROOT, "live accuracy %.4f vs champion %.4f on the same %d events (needs %+.4f)",
                live, champion, comparison.shadowExamples(), settings.gate().shadowMargin()), time);
    }

    /**
     * The shadow's verdict. Promoted: announced as champion (serving swaps, the trial ends) and on
     * probation like any promotion. Rejected: the trial ends and the champion's artifact is published
     * again as the next version ({@code shadow.rejected} = the challenger), so the champion is once more
     * the latest version; once per challenger, even when a restore replays the verdict.
     */
    private void endShadow(boolean promote, double live, double championLive, String reason, long time) throws Exception {
        Shadow trial = shadow;
        shadow = null;
        comparison = null;
        ModelMetadata challenger = store.get(settings.model(), trial.version()).orElseThrow();
        long version;
        if (promote) {
            announcer.announce(store, challenger);
            version = challenger.version();
            watch = Double.isNaN(settings.rollbackMargin()) ? null : new Watch(version, trial.champion(), championLive);
            championVersion = version;
            counters[PROMOTED]++;
            promotedCounter.inc();
            LOG.info("Promoted {} v{} after its shadow trial: {}", settings.model(), version, reason);
        } else {
            announcer.announce(store, challenger, ModelAnnouncement.Role.END_TRIAL);
            ModelMetadata restored = republishedAfterShadow(trial);
            announcer.announce(store, restored);
            version = restored.version();
            championVersion = version;
            counters[REJECTED]++;
            rejectedCounter.inc();
            LOG.info("Rejected the shadow {} v{}: {}; v{} serves v{}'s weights", settings.model(), trial.version(), reason, version, trial.champion());
        }
        output.collect(new StreamRecord<>(new MonitoringReport(promote ? "challenger_promoted" : "challenger_rejected", "shadow", version,
                time, time, counters[SEEN] - trial.seenAtStart(), live - championLive, Double.NaN), time));
    }

    /**
     * Ends the shadow without a verdict because the champion it was compared with no longer serves
     * (rolled back, or replaced by hand): the newer champion is already the latest version.
     */
    private void abandonShadow(String why, long time) throws Exception {
        Shadow trial = shadow;
        shadow = null;
        comparison = null;
        announcer.announce(store, store.get(settings.model(), trial.version()).orElseThrow(), ModelAnnouncement.Role.END_TRIAL);
        counters[REJECTED]++;
        rejectedCounter.inc();
        LOG.info("Abandoned the shadow {} v{}: {}", settings.model(), trial.version(), why);
        output.collect(new StreamRecord<>(new MonitoringReport("challenger_rejected", "shadow", trial.version(), time, time,
                counters[SEEN] - trial.seenAtStart(), Double.NaN, Double.NaN), time));
    }

    private ModelMetadata republishedAfterShadow(Shadow trial) throws IOException {
        for (ModelMetadata existing : store.versions(settings.model())) {
            Double of = existing.metrics().get(Champions.SHADOW_REJECTED);
            if (of != null && of.longValue() == trial.version()) {
                return existing;
            }
        }
        ModelMetadata champion = store.get(settings.model(), trial.champion()).orElseThrow();
        return Champions.republish(store, champion, Map.of(Champions.SHADOW_REJECTED, (double) trial.version()));
    }

    /** Publishes the challenger unless a version with its id is already there (published before a failure). */
    private ModelMetadata publishOnce(ChallengerRun done, ModelMetadata parent, BinaryClassifier network, BinaryMetrics challenger, BinaryMetrics champion)
            throws IOException {
        Optional<ModelMetadata> existing = publishedVersionOf(done.id());
        if (existing.isPresent()) {
            LOG.info("{} v{} is the challenger {}, already published before a restore", settings.model(), existing.get().version(),
                    Long.toHexString(done.id()));
            return existing.get();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("validation.accuracy", challenger.accuracy());
        m.put("validation.auc", challenger.auc());
        m.put("validation.logLoss", challenger.logLoss());
        m.put("validation.brier", challenger.brier());
        m.put("validation.positiveRate", challenger.positiveRate());
        m.put("champion.validation.accuracy", champion.accuracy());
        m.put("champion.validation.logLoss", champion.logLoss());
        m.put("holdout.rows", (double) done.holdoutRows());
        m.put("training.rowsProcessed", (double) done.rowsProcessed());
        m.put("training.epochs", (double) done.epochs());
        m.put("training.stateful", done.mode().equals(TrainingMode.STATEFUL.label()) ? 1.0 : 0.0);
        m.put("challenger.id", (double) done.id());
        m.values().removeIf(v -> v.isNaN());
        m.put("challenger.id", (double) done.id());
        ModelDraft draft = new ModelDraft(settings.model(), done.parentVersion(), parent.format(), parent.featureSpec(), parent.featureNames(),
                Instant.ofEpochMilli(done.trainFrom()), Instant.ofEpochMilli(done.trainTo()), done.trainRows(), m);
        return store.publish(draft, network.toBytes());
    }

    private Optional<ModelMetadata> publishedVersionOf(long challengerId) throws IOException {
        for (ModelMetadata existing : store.versions(settings.model())) {
            Double id = existing.metrics().get("challenger.id");
            if (id != null && id.longValue() == challengerId) {
                return Optional.of(existing);
            }
        }
        return Optional.empty();
    }

    private void judgeProbation(MonitoringReport report) throws Exception {
        Watch probation = watch;
        watch = null;
        if (Double.isNaN(probation.previousAccuracy()) || report.value() >= probation.previousAccuracy() - settings.rollbackMargin()) {
            LOG.info("{} v{} passed probation: live accuracy {} (v{} had {})", settings.model(), probation.version(), report.value(), probation.previous(),
                    probation.previousAccuracy());
            return;
        }
        if (championVersion != probation.version()) {
            return; // replaced meanwhile (a manual promotion): nothing to roll back
        }
        ModelMetadata previous = store.get(settings.model(), probation.previous()).orElseThrow();
        Map<String, Double> marks = new LinkedHashMap<>();
        marks.put("rollback.of", (double) probation.version());
        if (shadow != null) {
            marks.put(Champions.SHADOW_REJECTED, (double) shadow.version()); // it never served: a later rollback must not return to it
        }
        ModelMetadata restored = Champions.republish(store, previous, marks);
        announcer.announce(store, restored);
        championVersion = restored.version();
        if (shadow != null) {
            abandonShadow("its champion v" + probation.version() + " was rolled back", report.windowEnd());
        }
        triggers.admitted(report.windowEnd());
        counters[ROLLED_BACK]++;
        rollbackCounter.inc();
        LOG.warn("Rolled back {} v{}: live accuracy {} is below v{}'s {} by more than {}; v{} serves v{}'s weights", settings.model(),
                probation.version(), report.value(), previous.version(), probation.previousAccuracy(), settings.rollbackMargin(), restored.version(),
                previous.version());
        output.collect(new StreamRecord<>(new MonitoringReport("rollback", "v" + probation.version(), restored.version(), report.windowStart(),
                report.windowEnd(), report.count(), report.value() - probation.previousAccuracy(), Double.NaN), report.windowEnd()));
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        if (!loaded) {
            return;
        }
        setCurrentKey(KEY);
        countersState.update(counters.clone());
        triggersState.update(triggers.state());
        double[] w = new double[3 + 2 * lastAccuracy.size()];
        if (watch != null) {
            w[0] = watch.version();
            w[1] = watch.previous();
            w[2] = watch.previousAccuracy();
        }
        int i = 3;
        for (var e : lastAccuracy.entrySet()) {
            w[i++] = e.getKey();
            w[i++] = e.getValue();
        }
        watchState.update(w);
        if (shadow == null) {
            shadowState.clear();
            shadowWindowsState.clear();
        } else {
            shadowState.update(new long[] {shadow.version(), shadow.champion(), shadow.seenAtStart(), shadow.deadline()});
            shadowWindowsState.update(comparison.state());
        }
        if (awaiting == null) {
            awaitingState.clear();
        } else {
            awaitingState.update(awaiting.state());
        }
        if (run != null && training != null) {
            run = run.progressed(training.epoch(), training.batch(), training.rowsProcessed());
            runState.update(run);
            challengerState.update(training.network().toBytes());
        }
    }

    /** Examples seen, buffered, training rows processed, promotions, rejections, rollbacks: for tests and the evaluate command. */
    long[] counters() {
        return counters == null ? new long[6] : counters.clone();
    }

    long championVersion() {
        return championVersion;
    }

    /** The challenger version running as a shadow, or -1. */
    long shadowVersion() throws Exception {
        ensureLoaded();
        return shadow == null ? -1 : shadow.version();
    }

    /** Whether an admitted drift trigger waits for examples after its change point. */
    boolean awaitingDriftExamples() throws Exception {
        ensureLoaded();
        return awaiting != null;
    }

    boolean training() throws Exception {
        ensureLoaded();
        return run != null;
    }
}
