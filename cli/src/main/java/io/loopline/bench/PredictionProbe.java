package io.loopline.bench;

import io.loopline.state.records.Prediction;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink for benchmarks in this JVM's MiniCluster: it counts the predictions handed to it, notes
 * when the first and the last arrived, and, per subtask, how long the output paused where the model
 * version changed (the hot swap as a consumer of predictions sees it). Readings are kept under a run
 * id in a static registry, since the writers are created by Flink from a serialized copy.
 */
final class PredictionProbe implements Sink<Prediction> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Readings> RUNS = new ConcurrentHashMap<>();

    /** What one run's writers saw; updated concurrently by its subtasks. */
    static final class Readings {
        final AtomicLong count = new AtomicLong();
        /** When the count reached the run's target (later arrivals do not change the rate). */
        final AtomicLong targetNanos = new AtomicLong();
        final AtomicLong firstNanos = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong lastNanos = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong swaps = new AtomicLong();
        final AtomicLong maxSwapGapNanos = new AtomicLong();
        final AtomicLong maxVersion = new AtomicLong();
        /** The longest pause between two predictions of the same version: the baseline the swap gap compares to. */
        final AtomicLong maxSteadyGapNanos = new AtomicLong();
        /** CPU seconds of this JVM by part, from the first prediction to the target-th (set by the benchmark's thread). */
        volatile java.util.Map<ThreadCpu.Part, Double> cpuSeconds = java.util.Map.of();

        private final long target;

        Readings(long target) {
            this.target = target;
        }

        boolean reachedTarget() {
            return targetNanos.get() != 0;
        }

        /** Predictions per second from the first to the target-th. */
        double eventsPerSecond() {
            long span = targetNanos.get() - firstNanos.get();
            return target > 1 && span > 0 ? (target - 1) / (span / 1e9) : 0;
        }

        /** Microseconds of CPU per prediction by part (of the whole JVM, all cores together); empty where it was not measured. */
        java.util.Map<String, Double> cpuMicrosPerEvent() {
            java.util.Map<String, Double> micros = new java.util.LinkedHashMap<>();
            double total = 0;
            for (var part : cpuSeconds.entrySet()) {
                double us = part.getValue() * 1e6 / target;
                micros.put(part.getKey().key, us);
                total += us;
            }
            if (!micros.isEmpty()) {
                micros.put("total", total);
            }
            return micros;
        }
    }

    private final String runId;
    private final String ignoredIdPrefix;
    private final long swapVersion;

    /** @param ignoredIdPrefix events whose id starts with this only push the watermark; they are not counted */
    /**
     * @param target predictions to count before {@link Readings#reachedTarget}
     * @param swapVersion the version whose take-over is measured; changes to other versions count as steady output
     */
    PredictionProbe(String runId, String ignoredIdPrefix, long target, long swapVersion) {
        this.runId = runId;
        this.ignoredIdPrefix = ignoredIdPrefix;
        this.swapVersion = swapVersion;
        RUNS.put(runId, new Readings(target));
    }

    static Readings readings(String runId) {
        return RUNS.get(runId);
    }

    static void forget(String runId) {
        RUNS.remove(runId);
    }

    @Override
    public SinkWriter<Prediction> createWriter(WriterInitContext context) {
        Readings readings = RUNS.get(runId);
        if (readings == null) {
            throw new IllegalStateException("PredictionProbe only works in the JVM that created it (a MiniCluster benchmark)");
        }
        return new SinkWriter<>() {
            private long lastVersion = -1;
            private long lastArrival;

            @Override
            public void write(Prediction p, Context context) {
                if (p.eventId().startsWith(ignoredIdPrefix)) {
                    return;
                }
                long now = System.nanoTime();
                if (readings.count.incrementAndGet() == readings.target) {
                    readings.targetNanos.set(now);
                }
                readings.firstNanos.accumulateAndGet(now, Math::min);
                readings.lastNanos.accumulateAndGet(now, Math::max);
                readings.maxVersion.accumulateAndGet(p.modelVersion(), Math::max);
                if (lastVersion >= 0 && p.modelVersion() != lastVersion && p.modelVersion() == swapVersion) {
                    readings.swaps.incrementAndGet();
                    readings.maxSwapGapNanos.accumulateAndGet(now - lastArrival, Math::max);
                } else if (lastVersion >= 0) {
                    readings.maxSteadyGapNanos.accumulateAndGet(now - lastArrival, Math::max);
                }
                lastVersion = p.modelVersion();
                lastArrival = now;
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
