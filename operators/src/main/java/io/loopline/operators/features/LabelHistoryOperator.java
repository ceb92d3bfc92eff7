package io.loopline.operators.features;

import io.loopline.state.serialization.EventWithAggregatesSerializer;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.aggregates.EntityLabelsSnapshot;
import io.loopline.state.aggregates.KnownLabels;
import org.apache.flink.util.OutputTag;
import io.loopline.state.records.EntityLabel;
import io.loopline.state.records.EventWithAggregates;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Keyed by entity: adds the {@code label_history} features to each featurized event, from the labels
 * of its entity that had arrived strictly before its time (minus the spec's {@code known_after}).
 * Input 1: the feature operator's rows; input 2: labels with their entity and arrival time.
 *
 * <p>Same numbers in both modes. An event is released only once no label it could know about can still
 * come: when the labels input's watermark has passed its time minus {@code known_after}, when the labels
 * input is idle, or when the combined watermark passes its time (an event-time timer, which is also how
 * BATCH releases everything, in time order, after a key's input). Until then it waits in keyed state.
 * So with a labels stream that keeps up, events leave at once; a slow one holds them (latency, never a
 * wrong feature). A label that arrives for an entity after a later event already read its history is
 * counted as {@code labels_late_for_history}: that event's features then differ from the backfill's.
 *
 * <p>Which waiting entities a labels watermark releases is an in-memory index, rebuilt from state on
 * restore; the event-time timers are the checkpointed backstop. BATCH keeps no index (it would hold
 * every event of the history): its timers release each key's events after its input.
 */
public final class LabelHistoryOperator extends AbstractStreamOperator<EventWithAggregates>
        implements TwoInputStreamOperator<EventWithAggregates, EntityLabel, EventWithAggregates>, Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;
    public static final String UID = "label-history";
    /** BATCH: each entity's known labels once its input is processed, for the backfill's savepoint. */
    public static final OutputTag<EntityLabelsSnapshot> FINAL_LABELS = new OutputTag<>("final-entity-labels", EntityLabelsSnapshot.TYPE_INFO);
    /** BATCH: the last timer of every key, after its events' timers: its labels are final then. */
    private static final long END_OF_KEY = Long.MAX_VALUE - 1;
    private static final String HELD_STATE = "events-waiting-for-labels";
    private static final Comparator<EventWithAggregates> EVENT_ORDER =
            Comparator.<EventWithAggregates>comparingLong(r -> r.event().timestamp()).thenComparing(r -> r.event().id());

    private final FeatureSpec spec;
    private final int keep;
    private transient ValueState<KnownLabels> known;
    private transient ListState<EventWithAggregates> held;
    /** When the entity's oldest waiting event has waited {@code max_wait} (processing time); null when none waits. */
    private transient ValueState<Long> overdueAt;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient NavigableMap<Long, Set<String>> waitingByTime;
    /** BATCH: one key's state at a time and no labels watermark before the end; the timers release everything. */
    private transient boolean batch;
    private transient long labelsWatermark;
    private transient boolean labelsIdle;
    private transient Counter labelsTaken;
    private transient Counter labelsLate;
    private transient Counter eventsHeld;
    private transient Counter releasedWithoutLabels;

    public LabelHistoryOperator(FeatureSpec spec) {
        this.spec = spec;
        this.keep = LabelHistoryValues.labelsToKeep(spec.labelStatistics());
    }

    /** The known labels' descriptor, TTL included; the savepoint bootstrap uses the same one (TTL changes the stored format). */
    public static ValueStateDescriptor<KnownLabels> knownLabelsDescriptor(FeatureSpec spec) {
        var descriptor = new ValueStateDescriptor<>("known-labels", KnownLabels.TYPE_INFO);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(spec.idleTtl())
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupInRocksdbCompactFilter(1000)
                .cleanupFullSnapshot()
                .build());
        return descriptor;
    }

    @Override
    public void open() throws Exception {
        super.open();
        known = getPartitionedState(knownLabelsDescriptor(spec));
        held = getPartitionedState(new ListStateDescriptor<>(HELD_STATE, EventWithAggregatesSerializer.TYPE_INFO));
        overdueAt = getPartitionedState(new ValueStateDescriptor<>("overdue-at", org.apache.flink.api.common.typeinfo.Types.LONG));
        timers = getInternalTimerService("label-history-timers", VoidNamespaceSerializer.INSTANCE, this);
        labelsWatermark = Long.MIN_VALUE;
        waitingByTime = new TreeMap<>();
        var group = getMetricGroup().addGroup("loopline");
        labelsTaken = group.counter("labels_for_history");
        labelsLate = group.counter("labels_late_for_history");
        eventsHeld = group.counter("events_waiting_for_labels");
        releasedWithoutLabels = group.counter("events_released_without_labels");
        batch = getKeyedStateBackend() instanceof org.apache.flink.streaming.api.operators.sorted.state.BatchExecutionKeyedStateBackend;
        if (!batch) {
            rebuildIndex();
        }
    }

    private void rebuildIndex() throws Exception {
        List<String> keys = new ArrayList<>();
        getKeyedStateBackend().<VoidNamespace>getKeys(HELD_STATE, VoidNamespace.INSTANCE).forEach(k -> keys.add((String) k));
        for (String key : keys) {
            setCurrentKey(key);
            Iterable<EventWithAggregates> waiting = held.get();
            if (waiting != null) {
                for (EventWithAggregates row : waiting) {
                    waitingByTime.computeIfAbsent(row.event().timestamp(), t -> new HashSet<>()).add(key);
                }
            }
        }
    }

    @Override
    public void processElement1(StreamRecord<EventWithAggregates> element) throws Exception {
        EventWithAggregates row = element.getValue();
        long time = row.event().timestamp();
        if (labelsComplete(time)) {
            KnownLabels labels = known.value();
            emit(row, labels == null ? KnownLabels.EMPTY : labels);
            KnownLabels served = (labels == null ? KnownLabels.EMPTY : labels).servedAt(time);
            if (served != labels) {
                known.update(served);
            }
            return;
        }
        held.add(row);
        eventsHeld.inc();
        if (batch) {
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, END_OF_KEY);
        }
        timers.registerEventTimeTimer(VoidNamespace.INSTANCE, time);
        if (overdueAt.value() == null) {
            long at = timers.currentProcessingTime() + spec.labelTiming().maxWait().toMillis();
            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, at);
            overdueAt.update(at);
        }
        if (!batch) {
            waitingByTime.computeIfAbsent(time, t -> new HashSet<>()).add((String) getCurrentKey());
        }
    }

    @Override
    public void processElement2(StreamRecord<EntityLabel> element) throws Exception {
        if (batch) {
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, END_OF_KEY);
        }
        EntityLabel label = element.getValue();
        KnownLabels labels = known.value();
        if (labels == null) {
            labels = KnownLabels.EMPTY;
        }
        if (labels.servedUpTo() != KnownLabels.NONE && spec.labelTiming().known(label.arrival(), labels.servedUpTo())) {
            labelsLate.inc();
        }
        labelsTaken.inc();
        known.update(pruned(labels.with(label.arrival(), label.value())));
    }

    /** Without the labels no later event can ask for: older than the served horizon, beyond the newest {@code keep}. */
    private KnownLabels pruned(KnownLabels labels) {
        long horizon = labels.servedUpTo() == KnownLabels.NONE ? Long.MIN_VALUE
                : labels.servedUpTo() - spec.outOfOrderness().toMillis() - spec.labelTiming().knownAfter().toMillis();
        return labels.prunedBefore(horizon, keep);
    }

    /** Whether every label an event at {@code time} may know about has been read. */
    private boolean labelsComplete(long time) {
        return labelsIdle || labelsWatermark >= time - spec.labelTiming().knownAfter().toMillis() - 1
                || timers.currentWatermark() >= time;
    }

    @Override
    public void processWatermark2(Watermark mark) throws Exception {
        super.processWatermark2(mark);
        labelsWatermark = Math.max(labelsWatermark, mark.getTimestamp());
        long upTo = labelsWatermark + 1 + spec.labelTiming().knownAfter().toMillis();
        releaseWaiting(upTo < labelsWatermark ? Long.MAX_VALUE : upTo); // the labels' end of input: everything
    }

    @Override
    protected void processWatermarkStatus(WatermarkStatus status, int inputIndex) throws Exception {
        super.processWatermarkStatus(status, inputIndex);
        if (inputIndex == 1) {
            labelsIdle = status.isIdle();
            if (labelsIdle) {
                releaseWaiting(Long.MAX_VALUE);
            }
        }
    }

    /** Releases the entities whose waiting events are all at or before {@code upTo}. */
    private void releaseWaiting(long upTo) throws Exception {
        Set<String> keys = new HashSet<>();
        Iterator<Map.Entry<Long, Set<String>>> due = waitingByTime.headMap(upTo, true).entrySet().iterator();
        while (due.hasNext()) {
            keys.addAll(due.next().getValue());
            due.remove();
        }
        for (String key : keys) {
            setCurrentKey(key);
            release(false);
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        release(false);
        if (timer.getTimestamp() == END_OF_KEY) {
            KnownLabels labels = known.value();
            if (labels != null) {
                output.collect(FINAL_LABELS, new StreamRecord<>(new EntityLabelsSnapshot(timer.getKey(), pruned(labels))));
            }
        }
    }

    /** An event of the entity has waited {@code max_wait}: all its waiting events leave with the labels read so far. */
    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        overdueAt.clear();
        release(true);
    }

    /**
     * Emits the current entity's waiting events whose labels are complete (all of them when {@code overdue}),
     * in event-time order; the others keep waiting.
     */
    private void release(boolean overdue) throws Exception {
        Iterable<EventWithAggregates> waiting = held.get();
        if (waiting == null) {
            return;
        }
        List<EventWithAggregates> due = new ArrayList<>();
        List<EventWithAggregates> later = new ArrayList<>();
        for (EventWithAggregates row : waiting) {
            boolean complete = labelsComplete(row.event().timestamp());
            if (!complete && overdue) {
                releasedWithoutLabels.inc();
            }
            (complete || overdue ? due : later).add(row);
        }
        if (due.isEmpty()) {
            return;
        }
        if (later.isEmpty()) {
            held.clear();
            Long at = overdueAt.value();
            if (at != null) {
                timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, at);
                overdueAt.clear();
            }
        } else {
            held.update(later);
        }
        due.sort(EVENT_ORDER);
        KnownLabels labels = known.value();
        if (labels == null) {
            labels = KnownLabels.EMPTY;
        }
        for (EventWithAggregates row : due) {
            emit(row, labels);
            labels = labels.servedAt(row.event().timestamp());
        }
        known.update(labels);
    }

    private void emit(EventWithAggregates row, KnownLabels labels) {
        double[] aggregates = row.aggregates().clone();
        LabelHistoryValues.fill(spec.labelStatistics(), spec.labelTiming(), labels, row.event().timestamp(), aggregates);
        output.collect(new StreamRecord<>(new EventWithAggregates(row.event(), aggregates), row.event().timestamp()));
    }
}
