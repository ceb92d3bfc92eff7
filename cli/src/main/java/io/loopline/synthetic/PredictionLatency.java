package io.loopline.synthetic;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * End-to-end latency as a user sees it: from the moment an event is handed to the Kafka producer to
 * the moment a downstream consumer reads its prediction. The producer notes each valid event's send
 * time; the consumer takes it back by event id when the prediction arrives (so only events in
 * flight are held). Percentiles over the run and over the most recent predictions.
 */
public final class PredictionLatency {
    private static final int RECENT = 5_000;

    private final Map<String, Long> sentNanos = new ConcurrentHashMap<>();
    private long[] all = new long[1 << 14];
    private int count;
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
        }
    }

    /** p50 and p99 in ms over the whole run, NaN before the first prediction. */
    public synchronized double[] overall() {
        return percentiles(Arrays.copyOf(all, count));
    }

    /** p50 and p99 in ms over the last 5,000 predictions. */
    public synchronized double[] recent() {
        return percentiles(Arrays.copyOf(recent, (int) Math.min(recentSeen, RECENT)));
    }

    public synchronized long samples() {
        return count;
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
