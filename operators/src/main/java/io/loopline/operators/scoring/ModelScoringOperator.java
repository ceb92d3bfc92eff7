package io.loopline.operators.scoring;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.model.ModelStore;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.ModelAnnouncement;
import io.loopline.state.records.Prediction;
import io.loopline.state.records.ServedFeatures;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Scores feature vectors with the current version of one model and swaps versions while running.
 *
 * <p>Input 1: feature vectors. Input 2: {@link ModelAnnouncement}s, broadcast to every subtask.
 * A newer version is loaded and checked ({@link LoadedModel#load}); the records buffered so far are
 * scored with the old version first, so the swap falls between two records and every prediction
 * names the version that made it. A version that fails a check is rejected (dead letter with the
 * reason, a counter) and the serving version stays; older or equal versions are ignored.
 *
 * <p>Micro-batching: DL4J costs ~120-250 µs per call however small, so records are buffered up
 * to {@code batchSize} or {@code maxDelayMillis} and scored together. The buffer is flushed in
 * {@link #prepareSnapshotPreBarrier} (before the checkpoint barrier leaves), at the end of input,
 * and on a processing-time timer, so buffering never loses or delays a record across a checkpoint.
 *
 * <p>Records that arrive before any model are held in operator state, up to {@code maxHeld};
 * beyond that they go to dead letters as {@code no-model-overflow}. The active version is in
 * checkpointed union state, so a restored job serves the same version (or the newest any subtask had).
 *
 * <p>With {@link #withFeatureLog()}, every prediction also goes to {@link #FEATURE_LOG} together
 * with the features it was made from: the training data of record, free of training/serving skew.
 */
public final class ModelScoringOperator extends AbstractStreamOperator<Prediction>
        implements TwoInputStreamOperator<FeatureVector, ModelAnnouncement, Prediction>, BoundedMultiInput {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> REJECTED = new OutputTag<>("scoring-dead-letters", DeadLetter.TYPE_INFO);
    public static final OutputTag<ServedFeatures> FEATURE_LOG = new OutputTag<>("feature-log", ServedFeatures.TYPE_INFO);
    private static final int HISTOGRAM_WINDOW = 1024;

    private final String modelName;
    private final FeatureSpec spec;
    private final ModelStoreSupplier storeSupplier;
    private final int batchSize;
    private final long maxDelayMillis;
    private final int maxHeld;
    private boolean logFeatures;

    private transient ModelStore store;
    private transient LoadedModel current;
    private transient List<FeatureVector> batch;
    private transient List<FeatureVector> held;
    private transient boolean timerPending;
    private transient ListState<FeatureVector> heldState;
    private transient ListState<Long> versionState;
    private transient ListState<String> shaState;
    private transient Counter rejections;
    private transient Counter swaps;
    private transient Counter scored;
    private transient Histogram batchSizes;
    private transient Histogram batchMicros;
    private transient volatile long servingVersion;

    public ModelScoringOperator(String modelName, FeatureSpec spec, ModelStoreSupplier storeSupplier, int batchSize, long maxDelayMillis,
            int maxHeld) {
        if (batchSize < 1 || maxDelayMillis < 0 || maxHeld < 0) {
            throw new IllegalArgumentException("batch size >= 1, max delay >= 0 and max held >= 0 are required");
        }
        this.modelName = modelName;
        this.spec = spec;
        this.storeSupplier = storeSupplier;
        this.batchSize = batchSize;
        this.maxDelayMillis = maxDelayMillis;
        this.maxHeld = maxHeld;
    }

    /** Also emits each scored vector with its prediction to {@link #FEATURE_LOG}. */
    public ModelScoringOperator withFeatureLog() {
        this.logFeatures = true;
        return this;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        batch = new ArrayList<>(batchSize);
        held = new ArrayList<>();
        heldState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("held-before-model", FeatureVector.TYPE_INFO));
        versionState = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("serving-model-version", Types.LONG));
        shaState = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("serving-model-sha256", Types.STRING));
        store = storeSupplier.open();
        var metrics = getRuntimeContext().getMetricGroup().addGroup("loopline");
        rejections = metrics.counter("model_versions_rejected");
        swaps = metrics.counter("model_swaps");
        scored = metrics.counter("events_scored");
        metrics.meter("predictions_per_second", new MeterView(scored));
        batchSizes = metrics.histogram("scoring_batch_size", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        batchMicros = metrics.histogram("scoring_batch_latency_us", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        metrics.gauge("model_version", () -> servingVersion);
        if (context.isRestored()) {
            heldState.get().forEach(held::add);
            long version = -1;
            String sha = null;
            List<Long> versions = new ArrayList<>();
            versionState.get().forEach(versions::add);
            List<String> shas = new ArrayList<>();
            shaState.get().forEach(shas::add);
            for (int i = 0; i < versions.size(); i++) {
                if (versions.get(i) > version) {
                    version = versions.get(i);
                    sha = shas.get(i);
                }
            }
            if (version > 0) {
                // Serve what the checkpoint served. If it cannot be loaded any more, records are held until a new announcement.
                swapTo(new ModelAnnouncement(modelName, version, sha));
            }
        }
    }

    @Override
    public void processElement1(StreamRecord<FeatureVector> element) throws Exception {
        FeatureVector vector = element.getValue();
        if (current == null) {
            hold(vector);
            return;
        }
        batch.add(vector);
        if (batch.size() >= batchSize) {
            flush();
        } else if (!timerPending && maxDelayMillis > 0) {
            timerPending = true;
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService().registerTimer(now + maxDelayMillis, time -> {
                timerPending = false;
                flush();
            });
        }
    }

    @Override
    public void processElement2(StreamRecord<ModelAnnouncement> element) throws Exception {
        ModelAnnouncement announcement = element.getValue();
        if (!announcement.name().equals(modelName) || (current != null && announcement.version() <= current.version())) {
            return;
        }
        swapTo(announcement);
    }

    private void swapTo(ModelAnnouncement announcement) throws Exception {
        LoadedModel next;
        try {
            next = LoadedModel.load(store, announcement, spec);
        } catch (ModelRejectedException e) {
            rejections.inc();
            LOG.warn("Model {} v{} rejected ({}): {}; still serving {}", announcement.name(), announcement.version(), e.reason(), e.getMessage(),
                    current == null ? "no model" : "v" + current.version());
            output.collect(REJECTED, new StreamRecord<>(new DeadLetter(e.reason(), null, e.getMessage(), "models",
                    announcement.name().getBytes(StandardCharsets.UTF_8), null, getProcessingTimeService().getCurrentProcessingTime())));
            return;
        }
        flush(); // everything received before the swap is scored by the old version
        current = next;
        servingVersion = next.version();
        swaps.inc();
        if (!held.isEmpty()) {
            batch.addAll(held);
            held.clear();
            flush();
        }
    }

    private void hold(FeatureVector vector) {
        if (held.size() >= maxHeld) {
            output.collect(REJECTED, new StreamRecord<>(new DeadLetter("no-model-overflow", null,
                    "no model yet and " + maxHeld + " events already held", "scoring", vector.eventId().getBytes(StandardCharsets.UTF_8), null,
                    getProcessingTimeService().getCurrentProcessingTime())));
            return;
        }
        held.add(vector);
    }

    private void flush() {
        if (batch.isEmpty() || current == null) {
            return;
        }
        double[][] x = new double[batch.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = batch.get(i).values();
        }
        long startNanos = System.nanoTime();
        double[] scores = current.classifier().score(x, batchSize);
        batchMicros.update((System.nanoTime() - startNanos) / 1000);
        batchSizes.update(x.length);
        long now = getProcessingTimeService().getCurrentProcessingTime();
        long version = current.version();
        for (int i = 0; i < x.length; i++) {
            FeatureVector v = batch.get(i);
            output.collect(new StreamRecord<>(new Prediction(v.eventId(), v.entity(), v.timestamp(), scores[i], modelName, version,
                    v.label(), now), v.timestamp()));
            if (logFeatures) {
                output.collect(FEATURE_LOG, new StreamRecord<>(new ServedFeatures(v, modelName, version, scores[i], now), v.timestamp()));
            }
        }
        scored.inc(x.length);
        batch.clear();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        heldState.update(held);
        versionState.update(current == null ? List.of() : List.of(current.version()));
        shaState.update(current == null ? List.of() : List.of(current.metadata().sha256()));
    }

    @Override
    public void endInput(int inputId) {
        if (inputId == 1) {
            flush();
        }
    }

    /** The version serving now, or -1. */
    long servingVersion() {
        return current == null ? -1 : current.version();
    }

    int heldCount() {
        return held.size();
    }
}
