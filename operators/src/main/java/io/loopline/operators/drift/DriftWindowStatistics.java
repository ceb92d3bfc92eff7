package io.loopline.operators.drift;

import io.loopline.state.serialization.WindowHistogramsSerializer;
import io.loopline.state.records.MonitoringReport;
import io.loopline.state.records.WindowHistograms;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Merges the subtasks' {@link WindowHistograms} of each event-time window and, when the watermark
 * passes the window's end, compares them with the reference: per feature PSI, Jensen-Shannon
 * distance, chi-square (goodness of fit over the bins), Kolmogorov-Smirnov (on the binned CDFs) and
 * Wasserstein-1 (on the bins); per model version the PSI and KS of the scores against that version's
 * first window (its baseline). Runs on a single key: a few small records per window.
 *
 * <p>State: the windows not yet closed, and one score baseline per model version.
 */
public final class DriftWindowStatistics extends KeyedProcessFunction<Integer, WindowHistograms, MonitoringReport> {
    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DriftWindowStatistics.class);

    private final ReferenceBins reference;

    private transient MapState<Long, WindowHistograms> features; // window start -> merged over versions and subtasks
    private transient MapState<String, double[]> scores; // "start/version" -> score histogram
    private transient MapState<Long, double[]> baselines; // version -> first window's score histogram
    private transient Map<String, Double> featurePsi;
    private transient Map<Long, Double> predictionPsi;
    private transient Map<Long, Long> lastWindowEnd; // version -> end of the newest window with its predictions
    private transient volatile long newestWindowEnd;
    private transient volatile long windowLength;
    private transient MetricGroup metrics;

    public DriftWindowStatistics(ReferenceBins reference) {
        this.reference = reference;
    }

    @Override
    public void open(OpenContext context) {
        features = getRuntimeContext().getMapState(new MapStateDescriptor<>("window-features", Types.LONG, WindowHistogramsSerializer.TYPE_INFO));
        scores = getRuntimeContext().getMapState(new MapStateDescriptor<>("window-scores", Types.STRING,
                PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO));
        baselines = getRuntimeContext().getMapState(new MapStateDescriptor<>("score-baselines", Types.LONG,
                PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO));
        featurePsi = new ConcurrentHashMap<>();
        predictionPsi = new ConcurrentHashMap<>();
        lastWindowEnd = new ConcurrentHashMap<>();
        metrics = getRuntimeContext().getMetricGroup().addGroup("loopline");
    }

    @Override
    public void processElement(WindowHistograms part, Context ctx, Collector<MonitoringReport> out) throws Exception {
        WindowHistograms merged = features.get(part.windowStart());
        features.put(part.windowStart(), merged == null ? part : add(merged, part));
        String scoreKey = part.windowStart() + "/" + part.modelVersion();
        double[] s = scores.get(scoreKey);
        scores.put(scoreKey, s == null ? part.scores().clone() : sum(s, part.scores()));
        ctx.timerService().registerEventTimeTimer(part.windowEnd());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<MonitoringReport> out) throws Exception {
        List<Long> closed = new ArrayList<>();
        for (Long start : features.keys()) {
            WindowHistograms w = features.get(start);
            if (w.windowEnd() <= timestamp) {
                closed.add(start);
                reportFeatures(w, out);
            }
        }
        List<String> closedScores = new ArrayList<>();
        for (Map.Entry<String, double[]> e : scores.entries()) {
            long start = Long.parseLong(e.getKey().substring(0, e.getKey().indexOf('/')));
            long version = Long.parseLong(e.getKey().substring(e.getKey().indexOf('/') + 1));
            WindowHistograms w = features.get(start);
            if (w != null && w.windowEnd() <= timestamp) {
                closedScores.add(e.getKey());
                reportScores(start, w.windowEnd(), version, e.getValue(), out);
            }
        }
        for (Long start : closed) {
            features.remove(start);
        }
        for (String key : closedScores) {
            scores.remove(key);
        }
    }

    private void reportFeatures(WindowHistograms w, Collector<MonitoringReport> out) {
        List<String> columns = reference.columns();
        for (int c = 0; c < columns.size() && c < w.features().length; c++) {
            try {
                reportFeature(w, c, out);
            } catch (RuntimeException e) {
                // A numerical corner case in one statistic must not stop monitoring (or the job): report it and go on.
                LOG.warn("Drift statistics of {} in window {} failed: {}", columns.get(c), w.windowStart(), e.toString());
            }
        }
    }

    private void reportFeature(WindowHistograms w, int c, Collector<MonitoringReport> out) {
        List<String> columns = reference.columns();
        {
            double[] ref = reference.counts(c);
            double[] cur = w.features()[c];
            String name = columns.get(c);
            double psi = DriftStatistics.psi(ref, cur);
            long n = (long) sum(cur);
            emit(out, "psi", name, w, n, psi, Double.NaN);
            emit(out, "js", name, w, n, DriftStatistics.jensenShannon(ref, cur), Double.NaN);
            DriftStatistics.Statistic chi2 = DriftStatistics.chiSquare(ref, cur);
            emit(out, "chi2", name, w, n, chi2.statistic(), chi2.pvalue());
            KolmogorovSmirnov.Result ks = binnedKs(ref, cur);
            emit(out, "ks", name, w, n, ks.statistic(), ks.pvalue());
            emit(out, "wasserstein", name, w, n, DriftStatistics.wassersteinBinned(reference.closedEdges(c), ref, cur), Double.NaN);
            if (!featurePsi.containsKey(name)) {
                metrics.addGroup("feature", name).gauge("psi", () -> featurePsi.getOrDefault(name, Double.NaN));
            }
            featurePsi.put(name, psi);
        }
    }

    /** Closed windows without a version's predictions after which it no longer counts as serving. */
    static final int RETIRED_AFTER_WINDOWS = 2;

    /**
     * True once a version made no prediction in the last {@value #RETIRED_AFTER_WINDOWS} windows that
     * closed: it was replaced. Exported as the gauge {@code model_version_serving} (0 or 1), which the
     * alert rules on per-version metrics filter on, so a retired version's last numbers stop alerting
     * (Flink cannot unregister a metric while its operator runs).
     */
    boolean retired(long version) {
        Long last = lastWindowEnd.get(version);
        return last != null && windowLength > 0 && newestWindowEnd - last >= RETIRED_AFTER_WINDOWS * windowLength;
    }

    private void reportScores(long start, long end, long version, double[] current, Collector<MonitoringReport> out) throws Exception {
        if (!lastWindowEnd.containsKey(version)) {
            metrics.addGroup("model_version", String.valueOf(version)).gauge("serving", () -> retired(version) ? 0 : 1);
        }
        lastWindowEnd.merge(version, end, Math::max);
        newestWindowEnd = Math.max(newestWindowEnd, end);
        windowLength = end - start;
        double[] baseline = baselines.get(version);
        if (baseline == null) {
            baselines.put(version, current); // the version's first window is its reference
            return;
        }
        long n = (long) sum(current);
        double psi = DriftStatistics.psi(baseline, current);
        out.collect(new MonitoringReport("psi", "prediction", version, start, end, n, psi, Double.NaN));
        KolmogorovSmirnov.Result ks = binnedKs(baseline, current);
        out.collect(new MonitoringReport("ks", "prediction", version, start, end, n, ks.statistic(), ks.pvalue()));
        if (!predictionPsi.containsKey(version)) {
            metrics.addGroup("model_version", String.valueOf(version)).gauge("prediction_psi", () -> predictionPsi.getOrDefault(version, Double.NaN));
        }
        predictionPsi.put(version, psi);
    }

    private static void emit(Collector<MonitoringReport> out, String statistic, String subject, WindowHistograms w, long n, double value, double p) {
        out.collect(new MonitoringReport(statistic, subject, w.modelVersion(), w.windowStart(), w.windowEnd(), n, value, p));
    }

    /** KS on two histograms over the same bins: the largest CDF gap at a bin edge; the asymptotic p-value for the two sample sizes. */
    static KolmogorovSmirnov.Result binnedKs(double[] reference, double[] current) {
        double nRef = sum(reference);
        double nCur = sum(current);
        if (nRef == 0 || nCur == 0) {
            return new KolmogorovSmirnov.Result(Double.NaN, Double.NaN);
        }
        double a = 0;
        double b = 0;
        double d = 0;
        for (int i = 0; i < reference.length; i++) {
            a += reference[i] / nRef;
            b += current[i] / nCur;
            d = Math.max(d, Math.abs(a - b));
        }
        return new KolmogorovSmirnov.Result(d, KolmogorovSmirnov.asymptoticPvalue((int) Math.min(Integer.MAX_VALUE, nRef),
                (int) Math.min(Integer.MAX_VALUE, nCur), d, KolmogorovSmirnov.Alternative.TWO_SIDED));
    }

    private static WindowHistograms add(WindowHistograms a, WindowHistograms b) {
        double[][] features = new double[a.features().length][];
        for (int c = 0; c < features.length; c++) {
            features[c] = sum(a.features()[c], b.features()[c]);
        }
        return new WindowHistograms(a.windowStart(), a.windowEnd(), Math.max(a.modelVersion(), b.modelVersion()), a.count() + b.count(), features,
                new double[0], new double[0]);
    }

    private static double[] sum(double[] a, double[] b) {
        double[] s = a.clone();
        for (int i = 0; i < s.length && i < b.length; i++) {
            s[i] += b[i];
        }
        return s;
    }

    private static double sum(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return s;
    }
}
