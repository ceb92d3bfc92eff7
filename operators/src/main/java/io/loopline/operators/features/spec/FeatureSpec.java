package io.loopline.operators.features.spec;

import io.loopline.state.schema.EventSchema;
import java.io.Serializable;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated feature spec: how to decode events, which per-entity windows to keep, and the
 * ordered feature columns. Built by {@link FeatureSpecParser}; the same object drives the backfill
 * (BATCH) and the serving job (STREAMING).
 */
public final class FeatureSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final EventSchema schema;
    private final ZoneId timeZone;
    private final List<WindowDefinition> windows;
    private final List<FeatureDefinition> features;
    private final Duration outOfOrderness;
    private final Duration idleTtl;
    private final List<String> columnNames;
    private final CsvOptions csv;
    private final Duration idleFlush;
    private final Deduplication deduplication;
    private final List<LabelStatistic> labelStatistics;
    private final LabelTiming labelTiming;

    public FeatureSpec(String name, EventSchema schema, ZoneId timeZone, List<WindowDefinition> windows,
            List<FeatureDefinition> features, Duration outOfOrderness, Duration idleTtl) {
        this(name, schema, timeZone, windows, features, outOfOrderness, idleTtl, CsvOptions.NONE, defaultIdleFlush(outOfOrderness));
    }

    /** The out-of-orderness bound read as wall-clock time, at least one second. */
    public static Duration defaultIdleFlush(Duration outOfOrderness) {
        return outOfOrderness.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : outOfOrderness;
    }

    public FeatureSpec(String name, EventSchema schema, ZoneId timeZone, List<WindowDefinition> windows,
            List<FeatureDefinition> features, Duration outOfOrderness, Duration idleTtl, CsvOptions csv, Duration idleFlush) {
        this(name, schema, timeZone, windows, features, outOfOrderness, idleTtl, csv, idleFlush, Deduplication.DEFAULT);
    }

    public FeatureSpec(String name, EventSchema schema, ZoneId timeZone, List<WindowDefinition> windows,
            List<FeatureDefinition> features, Duration outOfOrderness, Duration idleTtl, CsvOptions csv, Duration idleFlush,
            Deduplication deduplication) {
        this(name, schema, timeZone, windows, features, outOfOrderness, idleTtl, csv, idleFlush, deduplication, List.of(), LabelTiming.DEFAULT);
    }

    public FeatureSpec(String name, EventSchema schema, ZoneId timeZone, List<WindowDefinition> windows,
            List<FeatureDefinition> features, Duration outOfOrderness, Duration idleTtl, CsvOptions csv, Duration idleFlush,
            Deduplication deduplication, List<LabelStatistic> labelStatistics, LabelTiming labelTiming) {
        this.labelStatistics = List.copyOf(labelStatistics);
        this.labelTiming = labelTiming;
        this.deduplication = deduplication;
        this.csv = csv;
        this.idleFlush = idleFlush;
        this.name = name;
        this.schema = schema;
        this.timeZone = timeZone;
        this.windows = List.copyOf(windows);
        this.features = List.copyOf(features);
        this.outOfOrderness = outOfOrderness;
        this.idleTtl = idleTtl;
        this.columnNames = List.copyOf(computeColumnNames());
    }

    /** Which repeated event ids are dropped as duplicates. */
    public Deduplication deduplication() {
        return deduplication;
    }

    /** The same spec with another idle TTL (event-time reset and state TTL). */
    public FeatureSpec withIdleTtl(Duration ttl) {
        if (ttl.isZero() || ttl.isNegative()) {
            throw new IllegalArgumentException("idle_ttl must be positive, got " + ttl);
        }
        return new FeatureSpec(name, schema, timeZone, windows, features, outOfOrderness, ttl, csv, idleFlush, deduplication, labelStatistics, labelTiming);
    }

    /** The same spec with another deduplication rule. */
    public FeatureSpec withDeduplication(Deduplication rule) {
        return new FeatureSpec(name, schema, timeZone, windows, features, outOfOrderness, idleTtl, csv, idleFlush, rule, labelStatistics, labelTiming);
    }

    /** The same spec with other label timing (e.g. the history's label delay of an evaluation). */
    public FeatureSpec withLabelTiming(LabelTiming timing) {
        return new FeatureSpec(name, schema, timeZone, windows, features, outOfOrderness, idleTtl, csv, idleFlush, deduplication, labelStatistics, timing);
    }

    /** The statistics of known labels that {@code label_history} features read; empty when the spec has none. */
    public List<LabelStatistic> labelStatistics() {
        return labelStatistics;
    }

    /** Whether features read the entity's known labels: then serving needs the labels stream. */
    public boolean hasLabelHistory() {
        return !labelStatistics.isEmpty();
    }

    /** When a label counts for label-history features. */
    public LabelTiming labelTiming() {
        return labelTiming;
    }

    /** How CSV rows become events (row ids, row times, constants). */
    public CsvOptions csv() {
        return csv;
    }

    public String name() {
        return name;
    }

    public EventSchema schema() {
        return schema;
    }

    public ZoneId timeZone() {
        return timeZone;
    }

    public List<WindowDefinition> windows() {
        return windows;
    }

    public List<FeatureDefinition> features() {
        return features;
    }

    /** How far out of event-time order events may arrive in streaming; later ones are dead-lettered as {@code late}. */
    public Duration outOfOrderness() {
        return outOfOrderness;
    }

    /**
     * Streaming only: after this much wall-clock time without events, the watermark catches up with
     * the largest timestamp seen, so buffered events do not wait for the next event. 0 = never.
     */
    public Duration idleFlush() {
        return idleFlush;
    }

    /** An entity idle (in event time) for longer than this starts from empty aggregates. */
    public Duration idleTtl() {
        return idleTtl;
    }

    /** The model's input columns, in order. Fixed by the spec alone (one-hot widths included). */
    public List<String> columnNames() {
        return columnNames;
    }

    public int dimension() {
        return columnNames.size();
    }

    /** Length of {@code EventWithAggregates.aggregates}: seconds since previous, 6 per window, then the label statistics (last first). */
    public int aggregateCount() {
        return 1 + windows.size() * Aggregate.values().length + labelStatistics.size();
    }

    /** Where label statistic {@code statistic} is in aggregates of {@code length}: from the end, so window indexes need no spec. */
    public static int labelIndex(int length, int statistic) {
        return length - 1 - statistic;
    }

    public static int aggregateIndex(int window, Aggregate aggregate) {
        return 1 + window * Aggregate.values().length + aggregate.ordinal();
    }

    public static final int SECONDS_SINCE_PREVIOUS = 0;

    private List<String> computeColumnNames() {
        List<String> names = new ArrayList<>();
        for (FeatureDefinition f : features) {
            if (f instanceof FeatureDefinition.Numeric n) {
                names.add(n.name());
                if (n.missingIndicator()) {
                    names.add(n.name() + "_missing");
                }
            } else if (f instanceof FeatureDefinition.OneHot o) {
                for (int i = 0; i < o.maxCategories(); i++) {
                    names.add(o.name() + "[" + i + "]");
                }
                names.add(o.name() + "[other]");
                if (o.missingIndicator()) {
                    names.add(o.name() + "_missing");
                }
            } else if (f instanceof FeatureDefinition.Hashed h) {
                for (int i = 0; i < h.buckets(); i++) {
                    names.add(h.name() + "#" + i);
                }
                if (h.missingIndicator()) {
                    names.add(h.name() + "_missing");
                }
            } else if (f instanceof FeatureDefinition.TimeOfEvent t) {
                if (t.cyclic()) {
                    names.add(t.name() + "_sin");
                    names.add(t.name() + "_cos");
                } else {
                    names.add(t.name());
                }
            }
        }
        return names;
    }

    @Override
    public String toString() {
        return "FeatureSpec[" + name + ", " + dimension() + " columns, " + windows.size() + " windows]";
    }
}
