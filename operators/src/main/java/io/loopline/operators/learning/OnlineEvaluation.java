package io.loopline.operators.learning;

import io.loopline.operators.drift.detectors.ChangeDetector;
import io.loopline.operators.drift.detectors.ChangeDetectors;
import io.loopline.operators.drift.detectors.DetectorName;
import io.loopline.operators.metrics.BinaryMetrics;
import io.loopline.operators.metrics.Calibration;
import io.loopline.state.records.LabeledPrediction;
import io.loopline.state.records.MonitoringReport;
import io.loopline.state.records.ReportSubject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Prequential evaluation per model version (the key): every labelled example is scored with the
 * prediction that was actually served. Keeps the last {@code window} examples in a ring buffer and,
 * every {@code slide} examples, reports accuracy, log loss, ROC AUC, Brier score, expected
 * calibration error, positive rate and label count over them (to the {@code drift} topic and as
 * gauges labelled with the model version, see docs/metrics.md), and, given the reference label
 * prior, the label drift of the window (PSI and chi-square). The per-example error (1 wrong at 0.5, 0 right) feeds
 * ADWIN, Page-Hinkley and DDM; each change point is reported and counted in
 * {@code drift_detected{detector, model_version}}.
 *
 * <p>State per version: the ring buffer (window × (score, label, time)) and each detector's state,
 * independent of traffic. It is worked on in memory and written to keyed state before each
 * checkpoint barrier (reading and writing a 1000-example window in RocksDB per example would cost
 * more than everything else); a version's state is read back from keyed state on its first example
 * after a restore. Input must be keyed by model version.
 */
public final class OnlineEvaluation extends AbstractStreamOperator<MonitoringReport>
        implements OneInputStreamOperator<LabeledPrediction, MonitoringReport>, Triggerable<Object, VoidNamespace> {
    private static final long serialVersionUID = 1L;
    static final List<DetectorName> DETECTORS = List.of(DetectorName.values());
    private static final int CALIBRATION_BINS = 10;

    private final int window;
    private final int slide;
    private io.loopline.operators.scoring.ModelStoreSupplier models;
    private Slices slices;
    private long timeWindowMillis;
    private String subjectName = ReportSubject.MODEL.wireName();
    private boolean shadow;
    private transient ValueState<double[]> timeWindowsState;
    // One event-time timer per open time window and key: after a restore it is the only thing that brings back a key
    // that gets no new example (an old model version), so that its open windows are still reported.
    private transient InternalTimerService<VoidNamespace> timeWindowCloses;
    private transient io.loopline.state.model.ModelStore store;
    private transient Map<Long, Double> referenceAccuracy;

    /** Reference counts of label 0 and 1 (the backfill's label prior), or null: then no label drift is reported. */
    private double[] referenceLabels;

    private transient ValueState<double[]> ring; // score, label, time per slot
    private transient ValueState<double[]> progress; // examples seen
    private transient Map<String, ValueState<double[]>> detectorStates;
    private transient Map<Long, Map<String, Double>> latest;
    private transient Map<Long, Map<String, Counter>> detections;
    private transient MetricGroup metrics;
    private transient Map<Object, Working> working;

    /** One version's evaluation state, in memory between checkpoints. */
    private static final class Working {
        double[] buffer;
        long seen;
        final ChangeDetector[] detectors = new ChangeDetector[DETECTORS.size()];
        final java.util.TreeMap<Long, TimeWindowMetrics> timeWindows = new java.util.TreeMap<>();
        long version;
        String subject;
        boolean dirty;
    }

    /**
     * Also exports each version's validation accuracy from its metadata in the model store, as
     * {@code model_version_reference_accuracy}: the alert on an accuracy drop compares with it.
     */
    public OnlineEvaluation withModelStore(io.loopline.operators.scoring.ModelStoreSupplier models) {
        this.models = models;
        return this;
    }

    /**
     * Evaluates per slice instead of per version: the input must then be keyed by
     * {@link #sliceKey}; reports name the slice as their subject ({@code model[merchant=travel]}).
     */
    public OnlineEvaluation perSlice(Slices slices) {
        this.slices = slices;
        return this;
    }

    /**
     * Also evaluates per tumbling event-time window of this length (subject {@code model/time}):
     * each window's metrics are reported once the watermark passes its end. Kept in fixed space per
     * window (see {@link TimeWindowMetrics}); AUC and calibration use 100 score bins.
     */
    public OnlineEvaluation withTimeWindow(java.time.Duration window) {
        this.timeWindowMillis = window.toMillis();
        return this;
    }

    /** The key of an example when evaluating per slice: version and slice. */
    public static String sliceKey(LabeledPrediction p, Slices slices) {
        return p.served().modelVersion() + "|" + slices.sliceOf(p.served().features().values());
    }

    /**
     * Evaluates a shadow version's predictions (logged, never served): reports name {@code shadow}
     * as their subject and metrics go to the {@code loopline_shadow_} group, apart from the served
     * model's (its alerts do not see a shadow).
     */
    public OnlineEvaluation forShadow() {
        this.subjectName = ReportSubject.SHADOW.wireName();
        this.shadow = true;
        return this;
    }

    /** Also reports the drift of the window's labels against the reference prior: PSI and chi-square over {0, 1}. */
    public OnlineEvaluation withReferenceLabels(double[] counts) {
        this.referenceLabels = counts.clone();
        return this;
    }

    public OnlineEvaluation(int window, int slide) {
        if (window < 2 || slide < 1) {
            throw new IllegalArgumentException("evaluation window must be >= 2 and slide >= 1, got " + window + " and " + slide);
        }
        this.window = window;
        this.slide = slide;
    }

    @Override
    public void open() throws Exception {
        super.open();
        working = new HashMap<>();
        referenceAccuracy = new ConcurrentHashMap<>();
        store = models == null ? null : models.open();
        ring = getRuntimeContext().getState(new ValueStateDescriptor<>("evaluation-window", PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO));
        progress = getRuntimeContext().getState(new ValueStateDescriptor<>("evaluation-progress", PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO));
        timeWindowsState = getRuntimeContext().getState(new ValueStateDescriptor<>("evaluation-time-windows",
                PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO));
        timeWindowCloses = getInternalTimerService("evaluation-time-window-closes", VoidNamespaceSerializer.INSTANCE, this);
        detectorStates = new HashMap<>();
        for (DetectorName detector : DETECTORS) {
            detectorStates.put(detector.wireName(), getRuntimeContext().getState(
                    new ValueStateDescriptor<>("detector-" + detector.wireName(), PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO)));
        }
        latest = new ConcurrentHashMap<>();
        detections = new HashMap<>();
        metrics = getRuntimeContext().getMetricGroup().addGroup("loopline");
        if (shadow) {
            metrics = metrics.addGroup("shadow");
        }
    }

    @Override
    public void processElement(StreamRecord<LabeledPrediction> element) throws Exception {
        LabeledPrediction example = element.getValue();
        long version = example.served().modelVersion();
        Object key = getCurrentKey();
        String subject = slices == null ? subjectName : subjectName + "[" + slices.sliceOf(example.served().features().values()) + "]";
        Working w = working.get(key);
        if (w == null) {
            w = workingSetOf(key);
            if (slices == null) {
                lookUpReferenceAccuracy(example.served().model(), version);
            }
        }
        int slot = (int) (w.seen % window);
        double score = example.served().score();
        double label = example.label();
        long time = example.served().features().timestamp();
        w.buffer[3 * slot] = score;
        w.buffer[3 * slot + 1] = label;
        w.buffer[3 * slot + 2] = time;
        w.seen++;
        w.dirty = true;
        w.version = version;
        w.subject = subject;
        if (timeWindowMillis > 0) {
            long start = Math.floorDiv(time, timeWindowMillis) * timeWindowMillis;
            TimeWindowMetrics timeWindow = w.timeWindows.get(start);
            if (timeWindow == null) {
                timeWindow = new TimeWindowMetrics(start);
                w.timeWindows.put(start, timeWindow);
                timeWindowCloses.registerEventTimeTimer(VoidNamespace.INSTANCE, start + timeWindowMillis);
            }
            timeWindow.add(score, label);
        }

        double error = (score >= 0.5) == (label >= 0.5) ? 0 : 1;
        if (slices == null) {
            // Registered with the version's first example: Prometheus sees the count rise from 0 (increase() needs that).
            Map<String, Counter> counters = detections(version);
            for (int d = 0; d < DETECTORS.size(); d++) {
                ChangeDetector detector = w.detectors[d];
                if (detector.add(error)) {
                    counters.get(DETECTORS.get(d).wireName()).inc();
                    output.collect(new StreamRecord<>(new MonitoringReport(DETECTORS.get(d).wireName(), (shadow ? ReportSubject.SHADOW_ERRORS : ReportSubject.ERRORS).wireName(), version, time, time, w.seen,
                            detector.estimation(), Double.NaN), time));
                }
            }
        }
        if (w.seen % slide == 0) {
            report(version, subject, w.buffer, (int) Math.min(w.seen, window), time);
        }
    }

    private void lookUpReferenceAccuracy(String model, long version) {
        if (store == null || referenceAccuracy.containsKey(version)) {
            return;
        }
        try {
            var metadata = store.get(model, version);
            Double accuracy = metadata.map(m -> m.metrics().get("validation.accuracy")).orElse(null);
            if (accuracy == null) {
                LOG.warn("{} v{} has no validation.accuracy in the model store: no reference accuracy to compare with", model, version);
                return;
            }
            referenceAccuracy.put(version, accuracy);
            metrics.addGroup("model_version", String.valueOf(version)).gauge("reference_accuracy", () -> referenceAccuracy.get(version));
        } catch (Exception e) {
            LOG.warn("Cannot read {} v{} from the model store: {}", model, version, e.toString());
        }
    }

    @Override
    public void onEventTime(InternalTimer<Object, VoidNamespace> timer) throws Exception {
        Object key = getCurrentKey();
        Working w = working.get(key);
        if (w == null) {
            w = workingSetOf(key);
        }
        while (!w.timeWindows.isEmpty() && w.timeWindows.firstKey() + timeWindowMillis <= timer.getTimestamp()) {
            reportTimeWindow(w, w.timeWindows.pollFirstEntry().getValue());
            w.dirty = true;
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<Object, VoidNamespace> timer) {}

    /** The key's state from the last checkpoint, now in the working set; named after the key (version, or version and slice). */
    private Working workingSetOf(Object key) throws Exception {
        Working w = load();
        if (key instanceof Long version) {
            w.version = version;
            w.subject = subjectName;
        } else {
            String sliceKey = key.toString();
            int bar = sliceKey.indexOf('|');
            w.version = Long.parseLong(sliceKey.substring(0, bar));
            w.subject = subjectName + "[" + sliceKey.substring(bar + 1) + "]";
        }
        working.put(key, w);
        return w;
    }

    private void reportTimeWindow(Working w, TimeWindowMetrics m) {
        long end = m.start + timeWindowMillis;
        String subject = w.subject + "/time";
        Map<String, Double> values = new java.util.LinkedHashMap<>();
        values.put("accuracy", m.accuracy());
        values.put("log_loss", m.logLoss());
        values.put("auc", m.auc());
        values.put("brier", m.brier());
        values.put("calibration_error", m.calibrationError());
        values.put("positive_rate", m.positiveRate());
        values.put("label_count", (double) m.count);
        for (var e : values.entrySet()) {
            output.collect(new StreamRecord<>(new MonitoringReport(e.getKey(), subject, w.version, m.start, end, m.count, e.getValue(), Double.NaN),
                    end - 1));
        }
    }

    /** The current key's state from the last checkpoint, or a fresh one. */
    private Working load() throws Exception {
        Working w = new Working();
        double[] buffer = ring.value();
        w.buffer = buffer != null ? buffer : new double[3 * window];
        double[] seen = progress.value();
        w.seen = seen == null ? 0 : (long) seen[0];
        double[] windows = timeWindowsState.value();
        if (windows != null) {
            int size = 6 + 3 * TimeWindowMetrics.BINS;
            for (int at = 0; at + size <= windows.length; at += size) {
                TimeWindowMetrics m = TimeWindowMetrics.fromArray(java.util.Arrays.copyOfRange(windows, at, at + size));
                w.timeWindows.put(m.start, m);
            }
        }
        for (int d = 0; d < DETECTORS.size(); d++) {
            w.detectors[d] = ChangeDetectors.create(DETECTORS.get(d).wireName(), Map.of());
            double[] saved = detectorStates.get(DETECTORS.get(d).wireName()).value();
            if (saved != null) {
                w.detectors[d].restore(saved);
            }
        }
        return w;
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        Object key = getCurrentKey();
        for (Map.Entry<Object, Working> e : working.entrySet()) {
            Working w = e.getValue();
            if (!w.dirty) {
                continue;
            }
            setCurrentKey(e.getKey());
            ring.update(w.buffer);
            progress.update(new double[] {w.seen});
            for (int d = 0; d < DETECTORS.size(); d++) {
                detectorStates.get(DETECTORS.get(d).wireName()).update(w.detectors[d].state());
            }
            if (timeWindowMillis > 0) {
                int size = 6 + 3 * TimeWindowMetrics.BINS;
                double[] windows = new double[w.timeWindows.size() * size];
                int at = 0;
                for (TimeWindowMetrics m : w.timeWindows.values()) {
                    System.arraycopy(m.toArray(), 0, windows, at, size);
                    at += size;
                }
                timeWindowsState.update(windows);
            }
            w.dirty = false;
        }
        if (key != null) {
            setCurrentKey(key);
        }
    }

    private void report(long version, String subject, double[] buffer, int n, long time) {
        double[] scores = new double[n];
        double[] labels = new double[n];
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            scores[i] = buffer[3 * i];
            labels[i] = buffer[3 * i + 1];
            start = Math.min(start, (long) buffer[3 * i + 2]);
            end = Math.max(end, (long) buffer[3 * i + 2]);
        }
        BinaryMetrics m = BinaryMetrics.of(scores, labels);
        Map<String, Double> values = new java.util.LinkedHashMap<>();
        values.put("accuracy", m.accuracy());
        values.put("log_loss", m.logLoss());
        values.put("auc", m.auc());
        values.put("brier", m.brier());
        values.put("calibration_error", Calibration.expectedCalibrationError(scores, labels, CALIBRATION_BINS));
        values.put("positive_rate", m.positiveRate());
        values.put("label_count", (double) n);
        for (var e : values.entrySet()) {
            output.collect(new StreamRecord<>(new MonitoringReport(e.getKey(), subject, version, start, end, n, e.getValue(), Double.NaN), time));
        }
        if (slices != null) {
            publishSliceGauges(version, subject).putAll(values);
            return;
        }
        if (referenceLabels != null && referenceLabels[0] + referenceLabels[1] > 0) {
            double positives = Math.round(m.positiveRate() * n);
            double[] current = {n - positives, positives};
            var chi2 = io.loopline.operators.drift.DriftStatistics.chiSquare(referenceLabels, current);
            output.collect(new StreamRecord<>(new MonitoringReport("psi", ReportSubject.LABEL.wireName(), version, start, end, n,
                    io.loopline.operators.drift.DriftStatistics.psi(referenceLabels, current), Double.NaN), time));
            output.collect(new StreamRecord<>(new MonitoringReport("chi2", ReportSubject.LABEL.wireName(), version, start, end, n, chi2.statistic(), chi2.pvalue()), time));
        }
        publishGauges(version).putAll(values);
    }

    /**
     * Gauges {@code loopline.model_version.<metric>} (Prometheus:
     * {@code flink_taskmanager_job_task_operator_loopline_model_version_<metric>{model_version="v"}}),
     * registered once per version a subtask sees.
     */
    private Map<String, Double> publishGauges(long version) {
        return latest.computeIfAbsent(version, v -> {
            Map<String, Double> values = new ConcurrentHashMap<>();
            MetricGroup group = metrics.addGroup("model_version", String.valueOf(v));
            for (String name : List.of("accuracy", "log_loss", "auc", "brier", "calibration_error", "positive_rate", "label_count")) {
                group.gauge(gaugeName(name), () -> values.getOrDefault(name, Double.NaN));
            }
            return values;
        });
    }

    /** A report's statistic as a gauge: Prometheus reserves {@code _count} for histograms and summaries. */
    private static String gaugeName(String statistic) {
        return statistic.equals("label_count") ? "labels_in_window" : statistic;
    }

    private transient Map<String, Map<String, Double>> sliceGauges;

    /** Gauges {@code loopline.model_version.slice.<metric>} with labels {@code model_version} and {@code slice}. */
    private Map<String, Double> publishSliceGauges(long version, String subject) {
        if (sliceGauges == null) {
            sliceGauges = new ConcurrentHashMap<>();
        }
        return sliceGauges.computeIfAbsent(version + subject, k -> {
            Map<String, Double> values = new ConcurrentHashMap<>();
            MetricGroup group = metrics.addGroup("model_version", String.valueOf(version)).addGroup("slice", subject.substring(subjectName.length() + 1, subject.length() - 1));
            for (String name : List.of("accuracy", "log_loss", "auc", "label_count")) {
                group.gauge(gaugeName(name), () -> values.getOrDefault(name, Double.NaN));
            }
            return values;
        });
    }

    private Map<String, Counter> detections(long version) {
        return detections.computeIfAbsent(version, v -> {
            Map<String, Counter> counters = new HashMap<>();
            for (String name : DETECTORS.stream().map(DetectorName::wireName).toList()) {
                counters.put(name, metrics.addGroup("detector", name).addGroup("model_version", String.valueOf(v)).counter("drift_detected"));
            }
            return counters;
        });
    }
}
