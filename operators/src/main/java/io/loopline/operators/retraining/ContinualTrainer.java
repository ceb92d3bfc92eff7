package io.loopline.operators.retraining;

import io.loopline.state.serialization.ChallengerRunSerializer;
import io.loopline.state.serialization.FeatureVectorSerializer;
import io.loopline.operators.metrics.BinaryMetrics;
import io.loopline.operators.retraining.RetrainTriggers.Trigger;
import io.loopline.operators.retraining.TrainerDecisions.Action;
import io.loopline.operators.retraining.TrainerState.ShadowTrial;
import io.loopline.operators.scoring.ModelStoreSupplier;
import io.loopline.operators.training.BinaryClassifier;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.model.ModelStore;
import io.loopline.state.records.ChallengerRun;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.LabeledPrediction;
import io.loopline.state.records.LearningEvent;
import io.loopline.state.records.ModelAnnouncement;
import io.loopline.state.records.MonitoringReport;
import io.loopline.state.records.ReportSubject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
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
 * <p>The decisions are {@link TrainerDecisions}' (a state machine without Flink, checkpointed as one
 * {@link TrainerState}); this operator buffers, trains, publishes and reports what they say.
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

    private final TrainerSettings settings;
    private final ModelStoreSupplier models;
    private final ModelAnnouncer announcer;

    private transient ModelStore store;
    private transient ChallengerPublications publications;
    private transient RecencyReservoir reservoir;
    private transient MapState<Integer, FeatureVector> buffer;
    private transient ValueState<TrainerState> decisionState;
    private transient LegacyTrainerState legacyState;
    private transient ValueState<ChallengerRun> runState;
    private transient ValueState<byte[]> challengerState;
    private transient MapState<Integer, FeatureVector> runRows;
    private transient InternalTimerService<VoidNamespace> steps;

    // The working set, read from keyed state on first use and written back before each barrier.
    private transient TrainerDecisions decisions;
    private transient ChallengerRun run;
    private transient ChallengerTraining training;

    private transient Map<Long, Double> references;
    private transient Map<String, Counter> triggerCounters;
    private transient Map<String, Counter> refusalCounters;
    private transient Counter promotedCounter;
    private transient Counter rejectedCounter;
    private transient Counter rollbackCounter;
    private transient Counter shadowedCounter;
    private transient Counter trainingRowsCounter;

    public ContinualTrainer(TrainerSettings settings, ModelStoreSupplier models, ModelAnnouncer announcer) {
        this.settings = settings;
        this.models = models;
        this.announcer = announcer;
    }

    @Override
    public void open() throws Exception {
        super.open();
        store = models.open();
        publications = new ChallengerPublications(store, settings.model());
        reservoir = new RecencyReservoir(settings.bufferSize(), 0x10091L);
        buffer = getRuntimeContext().getMapState(new MapStateDescriptor<>("trainer-buffer", Types.INT, FeatureVectorSerializer.TYPE_INFO));
        runRows = getRuntimeContext().getMapState(new MapStateDescriptor<>("trainer-run-rows", Types.INT, FeatureVectorSerializer.TYPE_INFO));
        decisionState = getRuntimeContext().getState(new ValueStateDescriptor<>("trainer-state", TrainerState.TYPE_INFO));
        legacyState = new LegacyTrainerState(getRuntimeContext());
        runState = getRuntimeContext().getState(new ValueStateDescriptor<>("trainer-run", ChallengerRunSerializer.TYPE_INFO));
        challengerState = getRuntimeContext().getState(new ValueStateDescriptor<>("trainer-challenger",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        steps = getInternalTimerService("trainer-steps", VoidNamespaceSerializer.INSTANCE, this);
        references = new HashMap<>();
        registerMetrics();
    }

    private void registerMetrics() {
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("loopline");
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
        trainingRowsCounter = metrics.counter("training_rows");
        // Gauges read the working set from the reporter's thread: before the first record it is not loaded yet.
        metrics.gauge("shadow_version", () -> decisions == null || decisions.shadow() == null ? -1L : decisions.shadow().version());
        metrics.gauge("champion_version", () -> decisions == null ? 0L : decisions.championVersion());
        metrics.gauge("training_in_progress", () -> run == null ? 0 : 1);
        metrics.gauge("retrain_awaiting_examples", () -> decisions == null ? 0L : decisions.awaitedExamples());
        metrics.gauge("training_buffer_size", () -> decisions == null ? 0L : decisions.buffered());
        // Labelled examples that reached the trainer since the job began (restored with its state): a replay in lockstep waits on it.
        metrics.gauge("examples_seen", () -> decisions == null ? 0L : decisions.seen());
        metrics.gauge("challenger_progress", () -> run == null ? 0.0 : progressOf(run, training));
    }

    private static double progressOf(ChallengerRun run, ChallengerTraining training) {
        double done = training == null ? run.rowsProcessed() : training.rowsProcessed();
        return done / Math.max(1.0, (double) run.trainRows() * run.epochs());
    }

    private void ensureLoaded() throws Exception {
        if (decisions != null) {
            return;
        }
        setCurrentKey(KEY);
        TrainerState state = decisionState.value();
        if (state == null) {
            // No state of this layout: a savepoint of the old one, or a first start; either way the store names the champion.
            long latest = latestVersion();
            state = legacyState.readAndClear(latest);
            if (state == null) {
                state = TrainerState.initial(latest);
            }
        }
        run = runState.value();
        training = null;
        decisions = TrainerDecisions.restore(settings, new TrainerDecisions.ModelVersions() {
            @Override
            public long latest() throws Exception {
                return latestVersion();
            }

            @Override
            public double reference(long version, String metric) throws Exception {
                return ContinualTrainer.this.reference(version, metric);
            }
        }, state, run != null);
    }

    private long latestVersion() throws java.io.IOException {
        return store.latest(settings.model()).map(ModelMetadata::version).orElse(0L);
    }

    @Override
    public void processElement1(StreamRecord<LabeledPrediction> element) throws Exception {
        LabeledPrediction example = element.getValue();
        if (Double.isNaN(example.label())) {
            return;
        }
        ensureLoaded();
        FeatureVector served = example.served().features();
        int slot = keepingAwaitedExamples(reservoir.slotFor(decisions.seen(), (int) decisions.buffered()));
        buffer.put(slot, new FeatureVector(served.eventId(), served.entity(), served.timestamp(), served.values(), example.label()));
        carryOut(decisions.onExample(served.timestamp(), slot == decisions.buffered()));
    }

    /**
     * While a drift trigger waits for examples after its change point, a full buffer overwrites only
     * examples from before it (the first such slot from the reservoir's choice on), so the challenger
     * is trained and judged on every awaited example rather than on the ~53 % a random overwrite keeps.
     */
    private int keepingAwaitedExamples(int slot) throws Exception {
        long since = decisions.awaitedSince();
        if (since == Long.MIN_VALUE || slot >= decisions.buffered()) {
            return slot;
        }
        int capacity = (int) decisions.buffered();
        for (int probe = 0; probe < capacity; probe++) {
            int candidate = (slot + probe) % capacity;
            if (buffer.get(candidate).timestamp() < since) {
                return candidate;
            }
        }
        return slot; // the whole buffer is after the change point already
    }

    @Override
    public void processElement2(StreamRecord<MonitoringReport> element) throws Exception {
        ensureLoaded();
        carryOut(decisions.onReport(element.getValue()));
    }

    private double reference(long version, String metric) throws Exception {
        Double cached = references.get(version);
        if (cached == null) {
            String key = metric.equals("log_loss") ? "validation.logLoss" : "validation." + metric;
            cached = store.get(settings.model(), version).map(m -> m.metrics().getOrDefault(key, Double.NaN)).orElse(Double.NaN);
            references.put(version, cached);
        }
        return cached;
    }

    private void carryOut(List<Action> actions) throws Exception {
        for (Action action : actions) {
            if (action instanceof TrainerDecisions.Refused r) {
                refusalCounters.get(r.outcome().label()).inc();
                LOG.debug("Retrain trigger {} ({}) refused: {}", r.trigger().cause().label(), r.trigger().detail(), r.outcome().label());
            } else if (action instanceof TrainerDecisions.AwaitExamples a) {
                awaitExamples(a.trigger(), a.examples());
            } else if (action instanceof TrainerDecisions.Train t) {
                if (t.admittedNow()) {
                    triggerCounters.get(t.trigger().cause().label()).inc();
                }
                startRun(t.trigger(), t.since());
            } else if (action instanceof TrainerDecisions.ShadowVerdict v) {
                endShadow(v);
            } else if (action instanceof TrainerDecisions.ShadowAbandoned a) {
                abandonShadow(a);
            } else if (action instanceof TrainerDecisions.RollBack r) {
                rollBack(r);
            } else if (action instanceof TrainerDecisions.ProbationPassed p) {
                LOG.info("{} v{} passed probation: live accuracy {} (v{} had {})", settings.model(), p.probation().version(), p.live(),
                        p.probation().previous(), p.probation().previousAccuracy());
            } else {
                throw new IllegalStateException("no handler for " + action);
            }
        }
    }

    private void awaitExamples(Trigger trigger, long wait) {
        triggerCounters.get(trigger.cause().label()).inc();
        LOG.info("Retrain trigger {} ({}) admitted: waiting for {} labelled examples after the change point", trigger.cause().label(),
                trigger.detail(), wait);
        output.collect(new StreamRecord<>(new MonitoringReport(LearningEvent.RETRAIN_AWAITING.wireName(), "drift:" + trigger.detail(),
                decisions.championVersion(), trigger.time(), trigger.time(), wait, wait, Double.NaN), trigger.time()));
    }

    /**
     * Trains a challenger on the buffered examples from {@code since} (event time) on when at least half
     * the awaited examples after a change point are still buffered, else on the whole buffer.
     */
    private void startRun(Trigger trigger, long since) throws Exception {
        Optional<ModelMetadata> champion = store.latest(settings.model());
        if (champion.isEmpty()) {
            LOG.warn("Retrain trigger {} ({}): no version of {} in the model store to start from or compare with", trigger.cause().label(),
                    trigger.detail(), settings.model());
            decisions.runNotStarted();
            return;
        }
        ModelMetadata parent = champion.get();
        decisions.championIs(parent.version());
        List<FeatureVector> rows = new ArrayList<>((int) decisions.buffered());
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
        long id = new SplittableRandom(System.nanoTime() ^ decisions.seen()).nextLong(1L << 53);
        run = new ChallengerRun(id, trigger.cause().label(), trigger.detail(), settings.mode().label(), parent.version(), trigger.time(), train, holdout,
                rows.get(0).timestamp(), rows.get(train - 1).timestamp(), rows.get(train).timestamp(), rows.get(rows.size() - 1).timestamp(),
                settings.epochs(), 0, 0, 0);
        training = trainingFor(run, network, rows.subList(0, train));
        runState.update(run);
        challengerState.update(network.toBytes());
        LOG.info("Retraining {} ({}: {}): {} challenger from v{} on {} rows [{} .. {}], holdout {} rows [{} .. {}]", settings.model(),
                run.cause(), run.detail(), run.mode(), parent.version(), train, Instant.ofEpochMilli(run.trainFrom()), Instant.ofEpochMilli(run.trainTo()),
                holdout, Instant.ofEpochMilli(run.holdoutFrom()), Instant.ofEpochMilli(run.holdoutTo()));
        output.collect(new StreamRecord<>(new MonitoringReport(LearningEvent.RETRAIN_TRIGGERED.wireName(), run.cause() + ":" + run.detail(),
                parent.version(), run.trainFrom(), run.holdoutTo(), rows.size(), train, Double.NaN), trigger.time()));
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
        carryOut(decisions.onClock(timer.getTimestamp()));
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
        Optional<ModelMetadata> publishedBefore = publications.publishedVersionOf(done.id());
        // Judged against the run's own parent once it was promoted (the store's latest is then the challenger itself).
        ModelMetadata champion = publishedBefore.isPresent() ? store.get(settings.model(), done.parentVersion()).orElseThrow()
                : store.latest(settings.model()).orElseThrow();
        BinaryMetrics championMetrics = BinaryMetrics.of(BinaryClassifier.fromBytes(store.readArtifact(champion)).score(x, 256), y);
        BinaryMetrics challengerMetrics = BinaryMetrics.of(training.network().score(x, 256), y);
        PromotionGate.Decision decision = settings.gate().decide(championMetrics, challengerMetrics);
        trainingRowsCounter.inc(done.rowsProcessed());
        long version = champion.version();
        if (decision.promote()) {
            ModelMetadata published = publications.publishOnce(done, champion, training.network(), challengerMetrics, championMetrics);
            if (publishedBefore.isPresent()) {
                LOG.info("{} v{} is the challenger {}, already published before a restore", settings.model(), published.version(), Long.toHexString(done.id()));
            }
            version = published.version();
            if (settings.gate().hasShadowStage()) {
                announcer.announce(store, published, ModelAnnouncement.Role.SHADOW);
            } else {
                announcer.announce(store, published);
            }
        }
        long deadline = getProcessingTimeService().getCurrentProcessingTime() + settings.gate().shadowTimeoutMillis();
        ShadowTrial shadow = decisions.challengerJudged(decision.promote(), version, champion.version(), done.rowsProcessed(), deadline);
        LearningEvent outcome;
        if (shadow != null) {
            steps.registerProcessingTimeTimer(VoidNamespace.INSTANCE, deadline);
            shadowedCounter.inc();
            outcome = LearningEvent.CHALLENGER_SHADOWED;
            LOG.info("{} v{} (from v{}, {} challenger, {}) passed the holdout ({}) and runs as a shadow until {} live labelled examples", settings.model(),
                    version, done.parentVersion(), done.mode(), done.cause(), decision.reason(), settings.gate().shadowExamples());
        } else if (decision.promote()) {
            promotedCounter.inc();
            outcome = LearningEvent.CHALLENGER_PROMOTED;
            LOG.info("Promoted {} v{} (from v{}, {} challenger, {}): {}", settings.model(), version, done.parentVersion(), done.mode(), done.cause(),
                    decision.reason());
        } else {
            rejectedCounter.inc();
            outcome = LearningEvent.CHALLENGER_REJECTED;
            LOG.info("Rejected the {} challenger of {} ({}), v{} stays: {}", done.mode(), settings.model(), done.cause(), champion.version(),
                    decision.reason());
        }
        long time = done.holdoutTo();
        output.collect(new StreamRecord<>(new MonitoringReport(outcome.wireName(), done.mode() + "/" + done.cause(), version,
                done.trainFrom(), done.holdoutTo(), done.rowsProcessed(), decision.challenger() - decision.champion(), Double.NaN), time));
        String metric = "holdout_" + settings.gate().metric();
        output.collect(new StreamRecord<>(new MonitoringReport(metric, ReportSubject.CHALLENGER.wireName(), version, done.holdoutFrom(), done.holdoutTo(),
                x.length, decision.challenger(), Double.NaN), time));
        output.collect(new StreamRecord<>(new MonitoringReport(metric, ReportSubject.CHAMPION.wireName(), champion.version(), done.holdoutFrom(),
                done.holdoutTo(), x.length, decision.champion(), Double.NaN), time));
        run = null;
        training = null;
        runState.clear();
        challengerState.clear();
        runRows.clear();
    }

    /**
     * The shadow's verdict. Promoted: announced as champion (serving swaps, the trial ends) and on
     * probation like any promotion. Rejected: the trial ends and the champion's artifact is published
     * again as the next version, so the champion is once more the latest version; once per challenger,
     * even when a restore replays the verdict.
     */
    private void endShadow(TrainerDecisions.ShadowVerdict verdict) throws Exception {
        ShadowTrial trial = verdict.trial();
        ModelMetadata challenger = store.get(settings.model(), trial.version()).orElseThrow();
        long version;
        if (verdict.promote()) {
            announcer.announce(store, challenger);
            version = challenger.version();
            promotedCounter.inc();
            LOG.info("Promoted {} v{} after its shadow trial: {}", settings.model(), version, verdict.reason());
        } else {
            announcer.announce(store, challenger, ModelAnnouncement.Role.END_TRIAL);
            ModelMetadata restored = publications.republishedAfterShadow(trial);
            announcer.announce(store, restored);
            version = restored.version();
            decisions.championIs(version);
            rejectedCounter.inc();
            LOG.info("Rejected the shadow {} v{}: {}; v{} serves v{}'s weights", settings.model(), trial.version(), verdict.reason(), version,
                    trial.champion());
        }
        LearningEvent event = verdict.promote() ? LearningEvent.CHALLENGER_PROMOTED : LearningEvent.CHALLENGER_REJECTED;
        output.collect(new StreamRecord<>(new MonitoringReport(event.wireName(), ReportSubject.SHADOW.wireName(), version, verdict.time(), verdict.time(),
                decisions.seen() - trial.seenAtStart(), verdict.live() - verdict.championLive(), Double.NaN), verdict.time()));
    }

    /** Ends the shadow without a verdict: the champion it was compared with no longer serves, and the newer one is already the latest version. */
    private void abandonShadow(TrainerDecisions.ShadowAbandoned abandoned) throws Exception {
        ShadowTrial trial = abandoned.trial();
        announcer.announce(store, store.get(settings.model(), trial.version()).orElseThrow(), ModelAnnouncement.Role.END_TRIAL);
        rejectedCounter.inc();
        LOG.info("Abandoned the shadow {} v{}: {}", settings.model(), trial.version(), abandoned.why());
        output.collect(new StreamRecord<>(new MonitoringReport(LearningEvent.CHALLENGER_REJECTED.wireName(), ReportSubject.SHADOW.wireName(),
                trial.version(), abandoned.time(), abandoned.time(), decisions.seen() - trial.seenAtStart(), Double.NaN, Double.NaN), abandoned.time()));
    }

    private void rollBack(TrainerDecisions.RollBack rollBack) throws Exception {
        TrainerState.Probation probation = rollBack.probation();
        MonitoringReport report = rollBack.report();
        ModelMetadata restored = publications.rollBack(probation.previous(), probation.version(), rollBack.shadowToRetire());
        announcer.announce(store, restored);
        decisions.championIs(restored.version());
        rollbackCounter.inc();
        LOG.warn("Rolled back {} v{}: live accuracy {} is below v{}'s {} by more than {}; v{} serves v{}'s weights", settings.model(),
                probation.version(), report.value(), probation.previous(), probation.previousAccuracy(), settings.rollbackMargin(), restored.version(),
                probation.previous());
        output.collect(new StreamRecord<>(new MonitoringReport(LearningEvent.ROLLBACK.wireName(), "v" + probation.version(), restored.version(),
                report.windowStart(), report.windowEnd(), report.count(), report.value() - probation.previousAccuracy(), Double.NaN), report.windowEnd()));
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        if (decisions == null) {
            return;
        }
        setCurrentKey(KEY);
        decisionState.update(decisions.state());
        if (run != null && training != null) {
            run = run.progressed(training.epoch(), training.batch(), training.rowsProcessed());
            runState.update(run);
            challengerState.update(training.network().toBytes());
        }
    }

    /** Examples seen, buffered, training rows processed, promotions, rejections, rollbacks: for tests and the evaluate command. */
    long[] counters() {
        return decisions == null ? new long[6] : decisions.counters();
    }

    long championVersion() throws Exception {
        ensureLoaded();
        return decisions.championVersion();
    }

    /** The challenger version running as a shadow, or -1. */
    long shadowVersion() throws Exception {
        ensureLoaded();
        return decisions.shadow() == null ? -1 : decisions.shadow().version();
    }

    /** Whether an admitted drift trigger waits for examples after its change point. */
    boolean awaitingDriftExamples() throws Exception {
        ensureLoaded();
        return decisions.awaitingDriftExamples();
    }

    boolean training() throws Exception {
        ensureLoaded();
        return run != null;
    }
}
