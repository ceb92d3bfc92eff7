package io.loopline.synthetic;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes generated events as JSON lines, optionally shuffled the way real streams arrive: no event
 * is more than {@code disorder} of event time behind the latest one written before it.
 */
public final class HistoryWriter {
    private HistoryWriter() {}

    /** @return the events written, valid and malformed */
    public static List<TransactionGenerator.Generated> write(TransactionGenerator generator, long events, Duration disorder, long seed,
            OutputStream out) throws IOException {
        return write(generator, events, disorder, seed, false, out);
    }

    /**
     * @param entityOrder keep each entity's (record key's) events in time order and shuffle only across
     *     entities, as a Kafka topic keyed by entity delivers them
     * @return the events written, valid and malformed
     */
    public static List<TransactionGenerator.Generated> write(TransactionGenerator generator, long events, Duration disorder, long seed,
            boolean entityOrder, OutputStream out) throws IOException {
        SplittableRandom shuffle = new SplittableRandom(seed ^ 0x5DEECE66DL);
        List<TransactionGenerator.Generated> written = new ArrayList<>();
        List<TransactionGenerator.Generated> window = new ArrayList<>();
        long bound = disorder.toMillis();
        for (long i = 0; i < events; i++) {
            window.add(generator.next());
            // Once the buffer spans more than the bound, release a random one of the events that
            // are within the bound of the oldest: arrival order is shuffled, lateness stays bounded.
            while (window.get(window.size() - 1).timestamp() - window.get(0).timestamp() > bound) {
                release(window, bound, shuffle, entityOrder, written, out);
            }
        }
        while (!window.isEmpty()) {
            release(window, bound, shuffle, entityOrder, written, out);
        }
        return written;
    }

    private static void release(List<TransactionGenerator.Generated> window, long bound, SplittableRandom shuffle, boolean entityOrder,
            List<TransactionGenerator.Generated> written, OutputStream out) throws IOException {
        long limit = window.get(0).timestamp() + bound;
        int eligible = 0;
        while (eligible < window.size() && window.get(eligible).timestamp() <= limit) {
            eligible++;
        }
        int chosen = shuffle.nextInt(eligible);
        if (entityOrder) {
            byte[] entity = window.get(chosen).key();
            for (int i = 0; i < chosen; i++) {
                if (java.util.Arrays.equals(window.get(i).key(), entity)) {
                    chosen = i; // its entity's oldest waiting event goes first
                    break;
                }
            }
        }
        TransactionGenerator.Generated g = window.remove(chosen);
        out.write(g.value());
        out.write('\n');
        written.add(g);
    }
}
