package io.loopline.operators.retraining;

import io.loopline.operators.scoring.ModelStoreSupplier;
import io.loopline.operators.training.BinaryClassifier;
import io.loopline.state.model.ModelDraft;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.model.ModelStore;
import io.loopline.state.records.LabeledPrediction;
import io.loopline.state.records.LearningEvent;
import io.loopline.state.records.MonitoringReport;
import io.loopline.state.records.ReportSubject;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online mode of the learning job: the champion's weights and optimizer state are updated on
 * every mini-batch of labelled examples as the label join emits them ({@link OnlineLearner}), and a
 * snapshot is published to the model store and announced on the models topic every
 * {@link OnlineLearning#publishEveryLabels} labels (or {@link OnlineLearning#publishEveryMillis}) if
 * its prequential accuracy on the newest rows is not worse than the served model's on the same rows
 * by more than the margin. A change point of the served model's errors (a configured detector)
 * raises the learning rate for a while; a published snapshot whose live accuracy falls below its
 * predecessor's is rolled back, and learning goes on from the restored weights.
 *
 * <p>First input: joined examples; second: the evaluation's reports. Both keyed by {@link #KEY},
 * parallelism 1. The learner's whole state is one versioned byte array in keyed state, written
 * before each checkpoint barrier: a restored job continues the same weights and Adam moments.
 */
public final class OnlineTrainer extends AbstractStreamOperator<MonitoringReport>
        implements TwoInputStreamOperator<LabeledPrediction, MonitoringReport, MonitoringReport> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OnlineTrainer.class);

    public static final int KEY = 0;
    /** Metadata of a published snapshot: labels learned when it was taken (identifies it across a restore). */
    static final String LABELS_LEARNED = "online.labelsLearned";

    private final TrainerSettings settings;
    private final ModelStoreSupplier models;
    private final ModelAnnouncer announcer;

    private transient ModelStore store;
    private transient ValueState<byte[]> learnerState;
    private transient ValueState<double[]> servingState; // champion, watched version, its predecessor, the predecessor's accuracy
    private transient OnlineLearner learner;
    private transient boolean loaded;
    private transient long championVersion;
    private transient long watchVersion;
    private transient long watchPrevious;
    private transient double watchPreviousAccuracy;
    private transient Map<Long, Double> lastAccuracy;
    private transient Counter promoted;
    private transient Counter held;
    private transient Counter rollbacks;
    private transient Counter boosts;
    private transient Counter trainingRows;
    private transient long latestEventTime;
    private transient boolean dirty;

    public OnlineTrainer(TrainerSettings settings, ModelStoreSupplier models, ModelAnnouncer announcer) {
        if (settings.mode() != TrainingMode.ONLINE) {
            throw new IllegalArgumentException("the online trainer needs trainer.mode online, got " + settings.mode().label());
        }
        this.settings = settings;
        this.models = models;
        this.announcer = announcer;
    }

    @Override
    public void open() throws Exception {
        super.open();
        store = models.open();
        learnerState = getRuntimeContext().getState(new ValueStateDescriptor<>("online-learner", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        servingState = getRuntimeContext().getState(new ValueStateDescriptor<>("online-serving", PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO));
        lastAccuracy = new LinkedHashMap<>();
        championVersion = store.latest(settings.model()).map(ModelMetadata::version).orElse(0L);
        watchVersion = -1;
        latestEventTime = Long.MIN_VALUE;
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("loopline");
        promoted = metrics.counter("challengers_promoted");
        held = metrics.counter("challengers_rejected");
        rollbacks = metrics.counter("rollbacks");
        boosts = metrics.counter("learning_rate_boosts");
        trainingRows = metrics.counter("training_rows");
        metrics.gauge("champion_version", () -> championVersion);
        metrics.gauge("training_in_progress", () -> 0);
        metrics.gauge("examples_seen", () -> learner == null ? 0L : learner.received());
        metrics.gauge("model_staleness_labels", () -> learner == null ? 0L : learner.stalenessLabels());
        metrics.gauge("model_staleness_seconds", () -> learner == null ? 0.0 : learner.stalenessMillis(System.currentTimeMillis()) / 1000.0);
    }

    private void ensureLoaded() throws Exception {
        if (loaded) {
            return;
        }
        setCurrentKey(KEY);
        byte[] saved = learnerState.value();
        double[] serving = servingState.value();
        if (serving != null) {
            championVersion = (long) serving[0];
            watchVersion = (long) serving[1];
            watchPrevious = (long) serving[2];
            watchPreviousAccuracy = serving[3];
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        if (saved != null) {
            learner = OnlineLearner.fromBytes(saved, settings.online());
            LOG.info("Online learner of {} restored: {} labels learned, serving v{}", settings.model(), learner.learned(), championVersion);
        } else {
            ModelMetadata champion = store.latest(settings.model())
                    .orElseThrow(() -> new IllegalStateException("online learning needs a first version of " + settings.model() + " in the model store"));
            championVersion = champion.version();
            learner = OnlineLearner.startingFrom(BinaryClassifier.fromBytes(store.readArtifact(champion)), settings.online(), now);
            LOG.info("Online learner of {} starts from v{}", settings.model(), champion.version());
        }
        loaded = true;
    }

    @Override
    public void processElement1(StreamRecord<LabeledPrediction> element) throws Exception {
        LabeledPrediction example = element.getValue();
        if (Double.isNaN(example.label())) {
            return;
        }
        ensureLoaded();
        dirty = true;
        latestEventTime = Math.max(latestEventTime, example.served().features().timestamp());
        if (learner.add(example.served().features().values(), example.label(), example.served().score())) {
            trainingRows.inc(settings.online().batchSize());
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        if (learner.due(now)) {
            publishOrHold(learner.look(now), now);
        }
    }

    private void publishOrHold(OnlineLearner.Verdict verdict, long now) throws Exception {
        long time = latestEventTime;
        if (!verdict.publish()) {
            held.inc();
            LOG.debug("Online snapshot of {} held: accuracy {} vs served {} on {} rows", settings.model(), verdict.learnerAccuracy(),
                    verdict.servedAccuracy(), verdict.rows());
            output.collect(new StreamRecord<>(new MonitoringReport(LearningEvent.CHALLENGER_REJECTED.wireName(), "online/held", championVersion, time, time, verdict.rows(),
                    verdict.learnerAccuracy() - verdict.servedAccuracy(), Double.NaN), time));
            return;
        }
        ModelMetadata parent = store.get(settings.model(), championVersion).or(() -> latest()).orElseThrow();
        ModelMetadata published = publishedAt(learner.learned()).orElse(null);
        if (published == null) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            // The prequential accuracy of the snapshot's learner on the newest rows: the reference the accuracy-drop alert compares with.
            metrics.put("validation.accuracy", verdict.learnerAccuracy());
            metrics.put("champion.validation.accuracy", verdict.servedAccuracy());
            metrics.put("holdout.rows", (double) verdict.rows());
            metrics.put(LABELS_LEARNED, (double) learner.learned());
            metrics.values().removeIf(v -> v.isNaN());
            metrics.put(LABELS_LEARNED, (double) learner.learned());
            ModelDraft draft = new ModelDraft(settings.model(), parent.version(), parent.format(), parent.featureSpec(), parent.featureNames(),
                    parent.trainedFrom(), Instant.ofEpochMilli(time == Long.MIN_VALUE ? now : time), parent.trainingRows() + learner.learned(), metrics);
            published = store.publish(draft, learner.snapshot());
        }
        announcer.announce(store, published);
        if (settings.rollbackMargin() >= 0) {
            watchVersion = published.version();
            watchPrevious = championVersion;
            watchPreviousAccuracy = lastAccuracy.getOrDefault(championVersion, Double.NaN);
        }
        championVersion = published.version();
        learner.served(now);
        promoted.inc();
        output.collect(new StreamRecord<>(new MonitoringReport(LearningEvent.CHALLENGER_PROMOTED.wireName(), "online/labels", published.version(), time, time, verdict.rows(),
                verdict.learnerAccuracy() - verdict.servedAccuracy(), Double.NaN), time));
    }

    private Optional<ModelMetadata> latest() {
        try {
            return store.latest(settings.model());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The snapshot published at this many labels learned: after a restore the same rows are learned again and it is announced, not published twice. */
    private Optional<ModelMetadata> publishedAt(long labelsLearned) throws IOException {
        for (ModelMetadata existing : store.versions(settings.model())) {
            Double at = existing.metrics().get(LABELS_LEARNED);
            if (at != null && at.longValue() == labelsLearned && existing.version() > championVersion) {
                return Optional.of(existing);
            }
        }
        return Optional.empty();
    }

    @Override
    public void processElement2(StreamRecord<MonitoringReport> element) throws Exception {
        MonitoringReport report = element.getValue();
        if (report.subject().startsWith("shadow")) {
            return;
        }
        ensureLoaded();
        dirty = true;
        if (ReportSubject.ERRORS.is(report.subject()) && report.modelVersion() == championVersion
                && settings.policy().onDetectors().contains(report.statistic()) && learner.boost()) {
            boosts.inc();
            LOG.info("{} detected a change in v{}'s errors: learning {}x faster for {} labels", report.statistic(), championVersion,
                    settings.online().driftBoost(), settings.online().boostExamples());
            output.collect(new StreamRecord<>(new MonitoringReport(LearningEvent.LEARNING_RATE_BOOST.wireName(), "drift:" + report.statistic(), championVersion,
                    report.windowStart(), report.windowEnd(), settings.online().boostExamples(), settings.online().driftBoost(), Double.NaN),
                    report.windowEnd()));
        } else if (report.subject().equals("model") && report.statistic().equals("accuracy")) {
            lastAccuracy.remove(report.modelVersion());
            lastAccuracy.put(report.modelVersion(), report.value());
            while (lastAccuracy.size() > 4) {
                lastAccuracy.remove(lastAccuracy.keySet().iterator().next());
            }
            if (report.modelVersion() == watchVersion && report.count() >= settings.rollbackMinExamples()) {
                judgeProbation(report);
            }
        }
    }

    /** A snapshot that serves worse live than its predecessor did is rolled back; the learner goes on from the restored weights. */
    private void judgeProbation(MonitoringReport report) throws Exception {
        watchVersion = -1;
        if (Double.isNaN(settings.rollbackMargin()) || Double.isNaN(watchPreviousAccuracy) || championVersion != report.modelVersion()
                || report.value() >= watchPreviousAccuracy - settings.rollbackMargin()) {
            return;
        }
        ModelMetadata previous = store.get(settings.model(), watchPrevious).orElseThrow();
        ModelMetadata restored = Champions.republish(store, previous, Map.of("rollback.of", (double) report.modelVersion()));
        announcer.announce(store, restored);
        long now = getProcessingTimeService().getCurrentProcessingTime();
        learner.restartFrom(BinaryClassifier.fromBytes(store.readArtifact(restored)), now);
        LOG.warn("Rolled back {} v{}: live accuracy {} is below v{}'s {} by more than {}; v{} serves v{}'s weights", settings.model(),
                report.modelVersion(), report.value(), watchPrevious, watchPreviousAccuracy, settings.rollbackMargin(), restored.version(), watchPrevious);
        championVersion = restored.version();
        rollbacks.inc();
        output.collect(new StreamRecord<>(new MonitoringReport(LearningEvent.ROLLBACK.wireName(), "v" + report.modelVersion(), restored.version(), report.windowStart(),
                report.windowEnd(), report.count(), report.value() - watchPreviousAccuracy, Double.NaN), report.windowEnd()));
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        if (!loaded || !dirty) {
            return;
        }
        dirty = false;
        setCurrentKey(KEY);
        learnerState.update(learner.toBytes());
        servingState.update(new double[] {championVersion, watchVersion, watchPrevious, watchPreviousAccuracy});
    }

    /** For tests: the learner's scores of these rows now. */
    double[] score(double[][] rows) throws Exception {
        ensureLoaded();
        return learner.score(rows);
    }

    long championVersion() {
        return championVersion;
    }

    long learned() {
        return learner == null ? 0 : learner.learned();
    }
}
