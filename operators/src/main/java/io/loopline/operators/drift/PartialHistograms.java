package io.loopline.operators.drift;

import io.loopline.state.serialization.WindowHistogramsSerializer;
import io.loopline.state.records.ServedFeatures;
import io.loopline.state.records.WindowHistograms;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * This subtask's share of every event-time window's histograms (features over the reference bins,
 * scores over ten bins, per model version), emitted when the watermark passes the window's end and
 * before the watermark itself, so the merging step has all parts of a window when it sees the
 * watermark. State: the open windows only (a few, each of fixed size), in operator state.
 */
public final class PartialHistograms extends AbstractStreamOperator<WindowHistograms>
        implements OneInputStreamOperator<ServedFeatures, WindowHistograms> {
    private static final long serialVersionUID = 1L;
    static final int SCORE_BINS = 10;

    private final ReferenceBins reference;
    private final long windowMillis;

    /** (window start, model version) -> histograms being filled. */
    private transient TreeMap<Long, Map<Long, Open>> open;
    private transient ListState<WindowHistograms> openState;
    private transient Counter late;
    private transient long watermark = Long.MIN_VALUE;

    /** A window being filled (mutable; becomes a {@link WindowHistograms} when emitted or checkpointed). */
    private static final class Open {
        final long start;
        final long version;
        long count;
        final double[][] features;
        final double[] scores;

        Open(long start, long version, ReferenceBins reference) {
            this.start = start;
            this.version = version;
            this.features = new double[reference.columns().size()][];
            for (int c = 0; c < features.length; c++) {
                features[c] = new double[reference.bins(c)];
            }
            this.scores = new double[SCORE_BINS];
        }

        Open(WindowHistograms h) {
            this.start = h.windowStart();
            this.version = h.modelVersion();
            this.count = h.count();
            this.features = h.features();
            this.scores = h.scores();
        }

        WindowHistograms freeze(long windowMillis) {
            double[][] copy = new double[features.length][];
            for (int c = 0; c < copy.length; c++) {
                copy[c] = features[c].clone();
            }
            return new WindowHistograms(start, start + windowMillis, version, count, copy, scores.clone(), new double[2]);
        }
    }

    public PartialHistograms(ReferenceBins reference, java.time.Duration window) {
        this.reference = reference;
        this.windowMillis = window.toMillis();
        if (windowMillis <= 0) {
            throw new IllegalArgumentException("the drift window must be positive, got " + window);
        }
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        open = new TreeMap<>();
        watermark = Long.MIN_VALUE;
        openState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("open-drift-windows", WindowHistogramsSerializer.TYPE_INFO));
        for (WindowHistograms h : openState.get()) {
            open.computeIfAbsent(h.windowStart(), s -> new java.util.HashMap<>()).put(h.modelVersion(), new Open(h));
        }
        late = getRuntimeContext().getMetricGroup().addGroup("loopline").counter("drift_records_late");
    }

    @Override
    public void processElement(StreamRecord<ServedFeatures> element) {
        ServedFeatures served = element.getValue();
        long time = served.features().timestamp();
        long start = Math.floorDiv(time, windowMillis) * windowMillis;
        if (start + windowMillis <= watermark) {
            late.inc(); // its window was already emitted
            return;
        }
        Open window = open.computeIfAbsent(start, s -> new java.util.HashMap<>())
                .computeIfAbsent(served.modelVersion(), v -> new Open(start, v, reference));
        double[] values = served.features().values();
        for (int c = 0; c < values.length && c < window.features.length; c++) {
            window.features[c][reference.bin(c, values[c])]++;
        }
        window.scores[Math.min(SCORE_BINS - 1, Math.max(0, (int) (served.score() * SCORE_BINS)))]++;
        window.count++;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = mark.getTimestamp();
        while (!open.isEmpty() && open.firstKey() + windowMillis <= watermark) {
            for (Open window : open.pollFirstEntry().getValue().values()) {
                output.collect(new StreamRecord<>(window.freeze(windowMillis), window.start + windowMillis - 1));
            }
        }
        super.processWatermark(mark);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<WindowHistograms> all = new ArrayList<>();
        open.values().forEach(byVersion -> byVersion.values().forEach(w -> all.add(w.freeze(windowMillis))));
        openState.update(all);
    }
}
