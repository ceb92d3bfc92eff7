package io.loopline.operators.scoring;

import io.loopline.state.serialization.DeadLetterSerializer;
import io.loopline.state.serialization.FeatureVectorSerializer;
import io.loopline.state.serialization.ModelAnnouncementSerializer;
import io.loopline.state.serialization.ServedFeaturesSerializer;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.types.Either;
import org.apache.flink.util.OutputTag;

/**
 * Scores feature vectors with the current version of one model and swaps versions while running.
 *
 * <p>One input of both: feature vectors ({@code Left}) and {@link ModelAnnouncement}s ({@code
 * Right}), every announcement on every subtask. Serving chains this operator to its feature operator,
 * which forwards the broadcast announcements in order ({@code ArrivalFeatureVectors}), so a vector
 * costs no serialization or thread hand-off on its way to the model.
 * A newer version is loaded and checked ({@link LoadedModel#load}) on a background thread while the
 * old one keeps scoring (a load takes tens of milliseconds; output should not pause for it). When it
 * is ready, the task thread swaps at the next record boundary: the records buffered so far are
 * scored with the old version first, so the swap falls between two records and every prediction
 * names the version that made it. Each subtask loads its own instance (DL4J networks are not
 * thread-safe); the loader thread hands it over and never touches it again. A version that fails a check is rejected (dead letter with the
 * reason, a counter) and the serving version stays; older or equal versions are ignored.
 *
 * <p>Micro-batching: DL4J costs ~120-250 µs per call however small, so records are buffered up
 * to {@code batchSize} or {@code maxDelayMillis} and scored together. The buffer is flushed in
 * {@link #prepareSnapshotPreBarrier} (before the checkpoint barrier leaves), at the end of input,
 * and on a processing-time timer, so buffering never loses or delays a record across a checkpoint.
 *
 * <p>Records that arrive before any model are held in operator state, up to {@code maxHeld};
 * beyond that they go to dead letters as {@code no-model-overflow}. The active version is in
 * checkpointed union state, so a restored job serves the same version (or the newest any subtask had);
 * versions still loading at the checkpoint are in state too and load again after a restore.
 *
 * <p>With {@link #withFeatureLog()}, every prediction also goes to {@link #FEATURE_LOG} together
 * with the features it was made from: the training data of record, free of training/serving skew.
 *
 * <p>Trials: a version announced as a shadow is scored on every event beside the champion, in the
 * same batch; its scores go to {@link #SHADOW_LOG} (with the features) and are never served. A
 * version announced as a canary serves the entities of its share ({@link Trial#servesEntity}); their
 * predictions name the canary's version. One trial at a time: a new one replaces it, an end-trial
 * announcement or a champion at or above its version ends it. A trial is loaded in the task thread
 * (a rare, operator-initiated step); one that fails a check is rejected like a champion and the
 * running trial stays. The trial is in checkpointed union state like the champion.
 */
public final class ModelScoringOperator extends AbstractStreamOperator<Prediction>
        implements OneInputStreamOperator<Either<FeatureVector, ModelAnnouncement>, Prediction>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> REJECTED = new OutputTag<>("scoring-dead-letters", DeadLetterSerializer.TYPE_INFO);
    public static final OutputTag<ServedFeatures> FEATURE_LOG = new OutputTag<>("feature-log", ServedFeaturesSerializer.TYPE_INFO);
    /** What the shadow version scored, per event, with the features: logged, never served. */
    public static final OutputTag<ServedFeatures> SHADOW_LOG = new OutputTag<>("shadow-log", ServedFeaturesSerializer.TYPE_INFO);
    private static final int HISTOGRAM_WINDOW = 1024;

    private final String modelName;
    private final FeatureSpec spec;
    private final ModelStoreSupplier storeSupplier;
    private final int batchSize;
    private final long maxDelayMillis;
    private final int maxHeld;
    private boolean logFeatures;
    private boolean loadInTaskThread;

    private transient ModelStore store;
    private transient LoadedModel current;
    private transient Trial trial;
    private transient ListState<ModelAnnouncement> trialState;
    private transient Counter shadowScored;
    private transient Counter canaryServed;
    private transient volatile long trialVersion;
    /** The highest version announced since this subtask started (not checkpointed: the topic is replayed on restart). */
    private transient long highestAnnounced;
    private transient List<FeatureVector> batch;
    private transient List<FeatureVector> held;
    private transient boolean timerPending;
    private transient ListState<FeatureVector> heldState;
    private transient ListState<Long> versionState;
    private transient ListState<String> shaState;
    private transient ListState<ModelAnnouncement> pendingState;
    private transient ExecutorService loader;
    /** The version being loaded off the task thread, and its outcome once done. */
    private transient ModelAnnouncement loadingAnnouncement;
    private transient CompletableFuture<LoadedModel> loading;
    /** The newest announcement that arrived while another version was loading. */
    private transient ModelAnnouncement queued;
    private transient boolean pollPending;
    private transient boolean firstBatchOfVersion;
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

    /**
     * Loads and checks new versions in the task thread, blocking scoring meanwhile. Deterministic,
     * for tests; by default versions load on a background thread and the swap happens at the first
     * record boundary after the new version is ready, so output does not pause for a load.
     */
    public ModelScoringOperator loadingInTaskThread() {
        this.loadInTaskThread = true;
        return this;
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
        heldState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("held-before-model", FeatureVectorSerializer.TYPE_INFO));
        versionState = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("serving-model-version", Types.LONG));
        shaState = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("serving-model-sha256", Types.STRING));
        pendingState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("pending-model-announcements", ModelAnnouncementSerializer.TYPE_INFO));
        trialState = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("trial-model", ModelAnnouncementSerializer.TYPE_INFO));
        store = storeSupplier.open();
        if (!loadInTaskThread) {
            loader = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "loopline-model-loader-" + modelName);
                thread.setDaemon(true);
                return thread;
            });
        }
        var metrics = getRuntimeContext().getMetricGroup().addGroup("loopline");
        rejections = metrics.counter("model_versions_rejected");
        swaps = metrics.counter("model_swaps");
        scored = metrics.counter("events_scored");
        metrics.meter("predictions_per_second", new MeterView(scored));
        batchSizes = metrics.histogram("scoring_batch_size", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        batchMicros = metrics.histogram("scoring_batch_latency_us", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        metrics.gauge("model_version", () -> servingVersion);
        trialVersion = -1;
        metrics.gauge("trial_model_version", () -> trialVersion);
        shadowScored = metrics.counter("events_shadow_scored");
        canaryServed = metrics.counter("events_canary_served");
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
                // Serve what the checkpoint served, before the first record. If it cannot be loaded any more, records are held
                // until a new announcement.
                install(new ModelAnnouncement(modelName, version, sha), loadNow(new ModelAnnouncement(modelName, version, sha)));
            }
            // Announcements that were still loading are not read from the models topic again: load them now.
            for (ModelAnnouncement pending : pendingState.get()) {
                announce(pending);
            }
            ModelAnnouncement restoredTrial = null;
            for (ModelAnnouncement t : trialState.get()) {
                if (restoredTrial == null || t.version() > restoredTrial.version()) {
                    restoredTrial = t;
                }
            }
            if (restoredTrial != null) {
                startTrial(restoredTrial);
            }
        }
    }

    @Override
    public void processElement(StreamRecord<Either<FeatureVector, ModelAnnouncement>> element) throws Exception {
        Either<FeatureVector, ModelAnnouncement> input = element.getValue();
        if (input.isRight()) {
            announce(input.right());
            return;
        }
        swapIfLoaded();
        FeatureVector vector = input.left();
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

    private void announce(ModelAnnouncement announcement) throws Exception {
        if (!announcement.name().equals(modelName)) {
            return;
        }
        if (announcement.role() != ModelAnnouncement.Role.CHAMPION) {
            trialAnnounced(announcement);
            return;
        }
        // The topic is replayed from its start after every restart, in order, so a version lower than one already
        // announced in this run is not a replay: someone announced an old version as if it were new.
        if (announcement.version() < highestAnnounced) {
            reject(announcement, new ModelRejectedException("out-of-order-version", announcement.name() + " v" + announcement.version()
                    + " was announced after v" + highestAnnounced + "; to serve an earlier model again, publish it as a new version"
                    + " (loopline models rollback|promote)"));
            return;
        }
        highestAnnounced = announcement.version();
        if (current != null && announcement.version() <= current.version()) {
            return;
        }
        if (loading != null) {
            // The version loading now may still fail its checks, so a second announcement of the same version (a corrected
            // one) waits its turn rather than being ignored.
            if (!announcement.equals(loadingAnnouncement) && (queued == null || announcement.version() >= queued.version())) {
                queued = announcement;
            }
        } else if (loadInTaskThread) {
            install(announcement, loadNow(announcement));
        } else {
            loadingAnnouncement = announcement;
            loading = CompletableFuture.supplyAsync(() -> {
                try {
                    return LoadedModel.load(store, announcement, spec);
                } catch (ModelRejectedException e) {
                    throw new CompletionException(e);
                }
            }, loader);
            pollForLoad();
        }
    }

    private void trialAnnounced(ModelAnnouncement announcement) throws Exception {
        if (announcement.role() == ModelAnnouncement.Role.END_TRIAL) {
            if (trial != null && trial.version() == announcement.version()) {
                endTrial("ended by announcement");
            }
            return;
        }
        // A trial at or below the champion was promoted already (or is stale); the same trial again is a replay of the topic.
        if ((current != null && announcement.version() <= current.version()) || (trial != null && trial.announcement().equals(announcement))) {
            return;
        }
        startTrial(announcement);
    }

    private void startTrial(ModelAnnouncement announcement) throws Exception {
        Object loaded = loadNow(announcement);
        if (loaded instanceof ModelRejectedException e) {
            reject(announcement, e);
            return;
        }
        flush(); // everything received before the trial starts is scored without it
        trial = new Trial((LoadedModel) loaded, announcement);
        trialVersion = trial.version();
        LOG.info("{} v{} runs as {} beside champion {}{}", modelName, trial.version(), announcement.role().wireName(),
                current == null ? "(none yet)" : "v" + current.version(),
                trial.isShadow() ? "" : String.format(java.util.Locale.ROOT, ", serving %.1f%% of the entities", 100 * announcement.canaryShare()));
    }

    private void endTrial(String why) {
        flush(); // the trial's last batch
        LOG.info("The trial of {} v{} ({}) is over: {}", modelName, trial.version(), trial.announcement().role().wireName(), why);
        trial = null;
        trialVersion = -1;
    }

    private void reject(ModelAnnouncement announcement, ModelRejectedException e) {
        rejections.inc();
        LOG.warn("Model {} v{} rejected ({}): {}; still serving {}", announcement.name(), announcement.version(), e.reason(), e.getMessage(),
                current == null ? "no model" : "v" + current.version());
        output.collect(REJECTED, new StreamRecord<>(new DeadLetter(e.reason(), null, e.getMessage(), "models",
                announcement.name().getBytes(StandardCharsets.UTF_8), null, getProcessingTimeService().getCurrentProcessingTime())));
    }

    /** Checks for a finished load every millisecond while one runs, so a swap does not wait for the next record. */
    private void pollForLoad() {
        if (pollPending || loading == null) {
            return;
        }
        pollPending = true;
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + 1, time -> {
            pollPending = false;
            swapIfLoaded();
            pollForLoad();
        });
    }

    /** Swaps to (or rejects) the version loaded in the background once it is ready; runs in the task thread, between records. */
    private void swapIfLoaded() throws Exception {
        if (loading == null || !loading.isDone()) {
            return;
        }
        ModelAnnouncement announcement = loadingAnnouncement;
        CompletableFuture<LoadedModel> done = loading;
        loading = null;
        loadingAnnouncement = null;
        install(announcement, outcome(done));
        if (queued != null) {
            ModelAnnouncement next = queued;
            queued = null;
            announce(next);
        }
    }

    /** The loaded model, or the {@link ModelRejectedException} that says why not. */
    private static Object outcome(CompletableFuture<LoadedModel> done) throws Exception {
        try {
            return done.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof ModelRejectedException rejected) {
                return rejected;
            }
            throw e;
        }
    }

    private Object loadNow(ModelAnnouncement announcement) {
        try {
            return LoadedModel.load(store, announcement, spec);
        } catch (ModelRejectedException e) {
            return e;
        }
    }

    private void install(ModelAnnouncement announcement, Object loaded) throws Exception {
        if (loaded instanceof ModelRejectedException e) {
            reject(announcement, e);
            return;
        }
        LoadedModel next = (LoadedModel) loaded;
        if (current != null && next.version() <= current.version()) {
            return;
        }
        long startNanos = System.nanoTime();
        flush(); // everything received before the swap is scored by the old version
        current = next;
        if (trial != null && trial.version() <= next.version()) {
            endTrial("champion v" + next.version() + " took over");
        }
        firstBatchOfVersion = true;
        servingVersion = next.version();
        swaps.inc();
        if (!held.isEmpty()) {
            batch.addAll(held);
            held.clear();
            flush();
        }
        LOG.info("Serving {} v{} from now on (swap took {} µs in the task thread)", modelName, next.version(),
                (System.nanoTime() - startNanos) / 1000);
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
        double[] trialScores = trial == null ? null : scoreTrial(x);
        long micros = (System.nanoTime() - startNanos) / 1000;
        batchMicros.update(micros);
        if (firstBatchOfVersion) {
            firstBatchOfVersion = false;
            LOG.info("First batch of {} v{}: {} rows in {} µs", modelName, current.version(), x.length, micros);
        }
        batchSizes.update(x.length);
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (int i = 0; i < x.length; i++) {
            FeatureVector v = batch.get(i);
            boolean canary = trialScores != null && !Double.isNaN(trialScores[i]) && !trial.isShadow();
            double score = canary ? trialScores[i] : scores[i];
            long version = canary ? trial.version() : current.version();
            output.collect(new StreamRecord<>(new Prediction(v.eventId(), v.entity(), v.timestamp(), score, modelName, version,
                    v.label(), now), v.timestamp()));
            if (logFeatures) {
                output.collect(FEATURE_LOG, new StreamRecord<>(new ServedFeatures(v, modelName, version, score, now), v.timestamp()));
            }
            if (trialScores != null && trial.isShadow()) {
                output.collect(SHADOW_LOG, new StreamRecord<>(new ServedFeatures(v, modelName, trial.version(), trialScores[i], now), v.timestamp()));
            }
        }
        scored.inc(x.length);
        batch.clear();
    }

    /**
     * The trial's scores for the batch: every row for a shadow; for a canary only the rows of the
     * entities it serves (the others NaN), in one call.
     */
    private double[] scoreTrial(double[][] x) {
        if (trial.isShadow()) {
            shadowScored.inc(x.length);
            return trial.model().classifier().score(x, batchSize);
        }
        int[] rows = new int[x.length];
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (trial.servesEntity(batch.get(i).entity())) {
                rows[n++] = i;
            }
        }
        double[] scores = new double[x.length];
        java.util.Arrays.fill(scores, Double.NaN);
        if (n == 0) {
            return scores;
        }
        double[][] served = new double[n][];
        for (int j = 0; j < n; j++) {
            served[j] = x[rows[j]];
        }
        double[] canaryScores = trial.model().classifier().score(served, batchSize);
        for (int j = 0; j < n; j++) {
            scores[rows[j]] = canaryScores[j];
        }
        canaryServed.inc(n);
        return scores;
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        swapIfLoaded();
        flush();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        heldState.update(held);
        versionState.update(current == null ? List.of() : List.of(current.version()));
        shaState.update(current == null ? List.of() : List.of(current.metadata().sha256()));
        List<ModelAnnouncement> pending = new ArrayList<>(2);
        if (loadingAnnouncement != null) {
            pending.add(loadingAnnouncement);
        }
        if (queued != null) {
            pending.add(queued);
        }
        pendingState.update(pending);
        trialState.update(trial == null ? List.of() : List.of(trial.announcement()));
    }

    @Override
    public void endInput() throws Exception {
        if (current == null && loading != null && !held.isEmpty()) {
            loading.handle((model, error) -> null).join(); // held records need the model that is on its way
        }
        swapIfLoaded();
        flush();
    }

    @Override
    public void close() throws Exception {
        if (loader != null) {
            loader.shutdownNow();
        }
        super.close();
    }

    /** The version serving now, or -1. */
    long servingVersion() {
        return current == null ? -1 : current.version();
    }

    /** The version load running in the background, or null: tests wait on it, not on the clock. */
    CompletableFuture<LoadedModel> backgroundLoad() {
        return loading;
    }

    /** The version on trial now, or -1. */
    long trialVersion() {
        return trial == null ? -1 : trial.version();
    }

    int heldCount() {
        return held.size();
    }
}
