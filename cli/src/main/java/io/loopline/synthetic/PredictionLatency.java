package io.loopline.synthetic;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * End-to-end latency as a user sees it: from the moment an event is handed to the Kafka producer to
 * the moment a downstream consumer reads its prediction. The producer notes each valid event's send
 * time; the consumer takes it back by event id when the prediction arrives (so only events in
 * flight are held). Percentiles over the run, over the most recent predictions, and over the events
 * sent after a warm-up (a fresh JVM compiles its hot code and the first checkpoints run in the
 * first seconds: the whole run's p99 says more about start-up than about the path).
 */
public final class PredictionLatency {
    private static final int RECENT = 5_000;

    private final Map<String, Long> sentNanos = new ConcurrentHashMap<>();
    private long[] all = new long[1 << 14];
    private int count;
    private long[] steady = new long[1 << 14];
    private int steadyCount;
    private volatile long steadyFromNanos = Long.MAX_VALUE;
    private final long[] recent = new long[RECENT];
    private long recentSeen;

    /** The event with this id was just handed to the producer. */
    public void sent(String eventId) {
        sentNanos.put(eventId, System.nanoTime());
    }

    /** Its prediction was just read; a repeated prediction (at least once, after a restart) counts once. */
    public void readable(String eventId) {
        Long sent = sentNanos.remove(eventId);
        if (sent == null) {
            return;
        }
        long micros = (System.nanoTime() - sent) / 1000;
        synchronized (this) {
            if (count == all.length) {
                all = Arrays.copyOf(all, all.length * 2);
            }
            all[count++] = micros;
            recent[(int) (recentSeen++ % RECENT)] = micros;
            if (sent - steadyFromNanos >= 0) {
                if (steadyCount == steady.length) {
                    steady = Arrays.copyOf(steady, steady.length * 2);
                }
                steady[steadyCount++] = micros;
            }
        }
    }

    /** Events sent from {@code nanos} ({@link System#nanoTime()}) on count in {@link #steady()}. */
    public void steadyFrom(long nanos) {
        steadyFromNanos = nanos;
    }

    /** p50 and p99 in ms over the whole run, NaN before the first prediction. */
    public synchronized double[] overall() {
        return percentiles(Arrays.copyOf(all, count));
    }

    /** p50 and p99 in ms over the events sent from {@link #steadyFrom} on, NaN before the first of them is read. */
    public synchronized double[] steady() {
        return percentiles(Arrays.copyOf(steady, steadyCount));
    }

    /** p50 and p99 in ms over the last 5,000 predictions. */
    public synchronized double[] recent() {
        return percentiles(Arrays.copyOf(recent, (int) Math.min(recentSeen, RECENT)));
    }

    public synchronized long samples() {
        return count;
    }

    public synchronized long steadySamples() {
        return steadyCount;
    }

    private static double[] percentiles(long[] micros) {
        if (micros.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        Arrays.sort(micros);
        return new double[] {at(micros, 0.50) / 1000.0, at(micros, 0.99) / 1000.0};
    }

    private static long at(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
    }
}
