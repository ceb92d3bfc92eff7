package io.loopline.operators.learning;

import io.loopline.state.serialization.DeadLetterSerializer;
import io.loopline.state.serialization.JoinEntrySerializer;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.JoinEntry;
import io.loopline.state.records.Label;
import io.loopline.state.records.LabeledPrediction;
import io.loopline.state.records.ServedFeatures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Joins served predictions (the feature log) with labels by event id, in event time, within a
 * feedback window: a label counts if its time is at most {@code window} after the prediction's
 * event time, whether it arrives before or after the prediction. Keyed by event id.
 *
 * <p>With a default label ("no click within 30 min = 0"), a prediction whose window closes without a
 * label is emitted with it, marked {@code defaulted}; and every example, labelled or not, is emitted
 * when its window closes, so examples leave in the event-time order of their predictions. (Emitting
 * the explicit labels at once and the defaults a window later would make the error stream a burst
 * of positives followed by a burst of negatives, and every change detector would fire on it.)
 * Without a default label, a joined example is emitted as soon as both sides are there. Duplicate labels, labels for ids never
 * predicted, and labels after the window are counted and dead-lettered with their reason.
 *
 * <p>The learning job lets the labels hold this operator's event time back as well as the feature log
 * (until a labels subtask goes idle): a feature log read ahead of its labels, as when a job starts or
 * catches up, must not close windows whose labels have not been read yet.
 *
 * <p>State is bounded by time, not by traffic: a prediction is kept until its window closes plus
 * {@value #LATE_LABEL_MEMORY} more windows (to tell a late label from an unknown id; a label more
 * behind than that is reported as {@code label-unknown-id}), a label without its prediction for one
 * window; event-time timers clear both. So the state holds the ids of about four windows of traffic,
 * and the feature values of one: an example that has left keeps only its id and times.
 */
public final class LabelJoin extends KeyedCoProcessFunction<String, ServedFeatures, Label, LabeledPrediction> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> REJECTED_LABELS = new OutputTag<>("rejected-labels", DeadLetterSerializer.TYPE_INFO);

    /** Windows a closed prediction is remembered for, to call a label for it late rather than unknown. */
    static final int LATE_LABEL_MEMORY = 3;

    private static final double[] NO_VALUES = new double[0];

    private final long windowMillis;
    private final double defaultLabel;
    private boolean shadow;

    private transient ValueState<JoinEntry> entry;
    private transient Counter joined;
    private transient Counter defaulted;
    private transient Counter duplicates;
    private transient Counter unknown;
    private transient Counter late;

    /** @param defaultLabel the natural label of a window without one, or NaN for none (the prediction is then just dropped) */
    public LabelJoin(Duration window, double defaultLabel) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the feedback window must be positive, got " + window);
        }
        this.windowMillis = window.toMillis();
        this.defaultLabel = defaultLabel;
    }

    /**
     * Joins a shadow version's logged predictions: most labels belong to events the shadow never
     * scored (before or after its trial), so rejected labels are counted (in the
     * {@code loopline_shadow_} group) but not dead-lettered; the main join reports them once.
     */
    public LabelJoin forShadow() {
        this.shadow = true;
        return this;
    }

    @Override
    public void open(OpenContext context) {
        entry = getRuntimeContext().getState(new ValueStateDescriptor<>("join-entry", JoinEntrySerializer.TYPE_INFO));
        var metrics = getRuntimeContext().getMetricGroup().addGroup("loopline");
        if (shadow) {
            metrics = metrics.addGroup("shadow");
        }
        joined = metrics.counter("labels_joined");
        defaulted = metrics.counter("labels_defaulted");
        duplicates = metrics.counter("labels_duplicate");
        unknown = metrics.counter("labels_unknown");
        late = metrics.counter("labels_late");
    }

    private boolean natural() {
        return !Double.isNaN(defaultLabel);
    }

    @Override
    public void processElement1(ServedFeatures served, Context ctx, Collector<LabeledPrediction> out) throws Exception {
        JoinEntry e = entry.value();
        if (e != null && e.prediction() != null) {
            return; // the feature log is exactly-once; a replayed duplicate changes nothing
        }
        long closes = served.features().timestamp() + windowMillis;
        Label waiting = e == null ? null : e.label();
        if (waiting != null && waiting.timestamp() <= closes) {
            entry.update(join(served, waiting, out));
        } else {
            if (waiting != null) {
                late.inc();
                reject(ctx, waiting, "label-late", "label at " + waiting.timestamp() + " is after the window that closed at " + closes);
            }
            entry.update(new JoinEntry(served, null, JoinEntry.OPEN));
        }
        ctx.timerService().registerEventTimeTimer(closes);
    }

    @Override
    public void processElement2(Label incoming, Context ctx, Collector<LabeledPrediction> out) throws Exception {
        JoinEntry e = entry.value();
        if (e == null || e.prediction() == null) {
            if (e != null && e.label() != null) {
                duplicates.inc();
                reject(ctx, incoming, "label-duplicate", "a label for this event id is already waiting for its prediction");
                return;
            }
            entry.update(new JoinEntry(null, incoming, JoinEntry.OPEN)); // the prediction may still come: wait one window for it
            ctx.timerService().registerEventTimeTimer(incoming.timestamp() + windowMillis);
            return;
        }
        long closes = e.prediction().features().timestamp() + windowMillis;
        if (e.phase() == JoinEntry.JOINED) {
            duplicates.inc();
            reject(ctx, incoming, "label-duplicate", "this event id was already labelled");
        } else if (e.phase() == JoinEntry.CLOSED || incoming.timestamp() > closes) {
            late.inc();
            reject(ctx, incoming, "label-late", "label at " + incoming.timestamp() + " is after the window that closed at " + closes);
        } else {
            entry.update(join(e.prediction(), incoming, out));
        }
    }

    /** The entry after a match: natural labels wait for the window to close (event-time order), others leave at once. */
    private JoinEntry join(ServedFeatures served, Label l, Collector<LabeledPrediction> out) {
        joined.inc();
        if (natural()) {
            return new JoinEntry(served, l, JoinEntry.JOINED);
        }
        out.collect(new LabeledPrediction(served, l.value(), l.timestamp(), false));
        return new JoinEntry(withoutValues(served), null, JoinEntry.JOINED);
    }

    /**
     * What an entry needs of its prediction once the example has left: its id and event time, to
     * tell a duplicate or late label from an unknown one. Not the feature values, which were most of
     * the bytes each entry kept for three more windows.
     */
    static ServedFeatures withoutValues(ServedFeatures served) {
        FeatureVector v = served.features();
        if (v.values().length == 0) {
            return served;
        }
        return new ServedFeatures(new FeatureVector(v.eventId(), v.entity(), v.timestamp(), NO_VALUES, v.label()), served.model(),
                served.modelVersion(), served.score(), served.servedAt());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LabeledPrediction> out) throws Exception {
        JoinEntry e = entry.value();
        if (e == null) {
            return;
        }
        ServedFeatures served = e.prediction();
        if (served == null) {
            Label orphan = e.label();
            if (orphan != null && timestamp >= orphan.timestamp() + windowMillis) {
                unknown.inc();
                reject(ctx, orphan, "label-unknown-id", "no prediction for this event id within " + windowMillis + " ms of the label");
                entry.clear();
            }
            return;
        }
        long closes = served.features().timestamp() + windowMillis;
        if (timestamp == closes) {
            if (natural()) {
                if (e.phase() == JoinEntry.JOINED && e.label() != null) {
                    out.collect(new LabeledPrediction(served, e.label().value(), e.label().timestamp(), false));
                } else if (e.phase() == JoinEntry.OPEN) {
                    out.collect(new LabeledPrediction(served, defaultLabel, closes, true));
                    defaulted.inc();
                }
            }
            entry.update(new JoinEntry(withoutValues(served), null, JoinEntry.CLOSED));
            ctx.timerService().registerEventTimeTimer(closes + LATE_LABEL_MEMORY * windowMillis); // late labels are recognized until then
        } else if (timestamp >= closes + LATE_LABEL_MEMORY * windowMillis) {
            entry.clear();
        }
    }

    private void reject(Context ctx, Label l, String reason, String detail) {
        if (shadow) {
            return;
        }
        ctx.output(REJECTED_LABELS, new DeadLetter(reason, "label", detail, "labels", l.eventId().getBytes(StandardCharsets.UTF_8),
                (l.eventId() + "," + l.value() + "," + l.timestamp()).getBytes(StandardCharsets.UTF_8), ctx.timerService().currentProcessingTime()));
    }
}
