package io.loopline.jobs;

import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter for embedded runs: it keeps the counters of jobs running in this JVM's
 * MiniCluster so the CLI can print live progress from Flink's own metrics (the same counters
 * Prometheus sees on a cluster). Counters are grouped by job name, so concurrent jobs in one JVM
 * do not mix.
 */
public final class ProgressCounters implements MetricReporter {
    public static final String REPORTER_NAME = "loopline_progress";

    private static final Map<String, Set<Counter>> COUNTERS = new ConcurrentHashMap<>();

    /** Sum of the named counter over all subtasks of the named job. */
    public static long sum(String jobName, String counterName) {
        Set<Counter> counters = COUNTERS.get(jobName + "/" + counterName);
        if (counters == null) {
            return 0;
        }
        long sum = 0;
        for (Counter c : counters) {
            sum += c.getCount();
        }
        return sum;
    }

    /** Forgets a finished job's counters. */
    public static void forget(String jobName) {
        COUNTERS.keySet().removeIf(k -> k.startsWith(jobName + "/"));
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        if (metric instanceof Counter counter) {
            String job = group.getAllVariables().get("<job_name>");
            if (job != null) {
                COUNTERS.computeIfAbsent(job + "/" + metricName, k -> ConcurrentHashMap.newKeySet()).add(counter);
            }
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        // Kept: a finished task's final count still belongs to the job's progress.
    }

    /** Factory named in the embedded cluster's configuration. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new ProgressCounters();
        }
    }
}
