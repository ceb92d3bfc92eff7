package io.loopline.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter for embedded runs: it keeps the counters of jobs running in this JVM's
 * MiniCluster so the CLI can print live progress from Flink's own metrics (the same counters
 * Prometheus sees on a cluster). Counters are grouped by job name, so concurrent jobs in one JVM
 * do not mix. Loopline's own counters and numeric gauges are also kept by their path below the
 * operator ({@code loopline.labels_joined} is not {@code loopline.shadow.labels_joined}), so a
 * replay can wait on the loop's state ({@link #values}).
 */
public final class ProgressCounters implements MetricReporter {
    public static final String REPORTER_NAME = "loopline_progress";

    private static final Map<String, Set<Counter>> COUNTERS = new ConcurrentHashMap<>();
    private static final Map<String, Set<Metric>> LOOPLINE_METRICS = new ConcurrentHashMap<>();
    private static final String LOOPLINE_GROUP = "loopline";

    /** Reports the metrics of the jobs that run on an embedded cluster with {@code conf} here, where this class reads them. */
    public static org.apache.flink.configuration.Configuration reportingTo(org.apache.flink.configuration.Configuration conf) {
        conf.setString(org.apache.flink.configuration.MetricOptions.REPORTERS_LIST.key(), REPORTER_NAME);
        conf.setString("metrics.reporter." + REPORTER_NAME + ".factory.class", Factory.class.getName());
        return conf;
    }

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

    /**
     * The current value of each subtask's counter or numeric gauge at {@code path} (the groups from
     * {@code loopline} down, then the name: {@code loopline.examples_seen}) in the named job.
     */
    public static List<Long> values(String jobName, String path) {
        Set<Metric> metrics = LOOPLINE_METRICS.get(jobName + "/" + path);
        List<Long> values = new ArrayList<>();
        if (metrics == null) {
            return values;
        }
        for (Metric m : metrics) {
            if (m instanceof Counter c) {
                values.add(c.getCount());
            } else if (m instanceof Gauge<?> g && g.getValue() instanceof Number n) {
                values.add(n.longValue());
            }
        }
        return values;
    }

    /** The sum over subtasks of {@link #values}. */
    public static long total(String jobName, String path) {
        return values(jobName, path).stream().mapToLong(Long::longValue).sum();
    }

    /** The sum over every metric whose path starts with {@code prefix} and ends with {@code suffix} (key-value groups in between). */
    public static long totalOver(String jobName, String prefix, String suffix) {
        long sum = 0;
        for (String key : LOOPLINE_METRICS.keySet()) {
            String path = key.startsWith(jobName + "/") ? key.substring(jobName.length() + 1) : null;
            if (path != null && path.startsWith(prefix) && path.endsWith(suffix)) {
                sum += total(jobName, path);
            }
        }
        return sum;
    }

    /** Forgets a finished job's counters. */
    public static void forget(String jobName) {
        COUNTERS.keySet().removeIf(k -> k.startsWith(jobName + "/"));
        LOOPLINE_METRICS.keySet().removeIf(k -> k.startsWith(jobName + "/"));
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        String job = group.getAllVariables().get("<job_name>");
        if (job == null) {
            return;
        }
        if (metric instanceof Counter counter) {
            COUNTERS.computeIfAbsent(job + "/" + metricName, k -> ConcurrentHashMap.newKeySet()).add(counter);
        }
        String path = looplinePath(group.getScopeComponents(), metricName);
        if (path != null && (metric instanceof Counter || metric instanceof Gauge)) {
            LOOPLINE_METRICS.computeIfAbsent(job + "/" + path, k -> ConcurrentHashMap.newKeySet()).add(metric);
        }
    }

    /** {@code loopline.<groups>.<name>} for a metric in a Loopline group, else null. */
    static String looplinePath(String[] scope, String metricName) {
        for (int i = scope.length - 1; i >= 0; i--) {
            if (scope[i].equals(LOOPLINE_GROUP)) {
                return String.join(".", java.util.Arrays.copyOfRange(scope, i, scope.length)) + "." + metricName;
            }
        }
        return null;
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
