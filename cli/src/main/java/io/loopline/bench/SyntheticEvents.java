package io.loopline.bench;

import io.loopline.state.records.Event;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Event number i of a benchmark stream, computed from i alone (so every parallel task and every
 * run makes the same stream): a pseudo-random entity out of {@code entities}, times {@code gapMillis}
 * apart, and transaction-like values for the {@code transactions} spec.
 */
final class SyntheticEvents implements MapFunction<Long, Event> {
    private static final long serialVersionUID = 1L;
    private static final String[] CATEGORIES = {"grocery", "fuel", "travel", "electronics", "restaurants", "gaming", "fashion", "pharmacy"};
    private static final String[] COUNTRIES = {"DE", "FR", "NL", "US", "GB", "BR", "NG", "JP"};
    private static final String[] DEVICES = {"mobile", "web", "pos"};

    private final int entities;
    private final long startMillis;
    private final long gapMillis;

    SyntheticEvents(int entities, long startMillis, long gapMillis) {
        this.entities = entities;
        this.startMillis = startMillis;
        this.gapMillis = gapMillis;
    }

    @Override
    public Event map(Long index) {
        long i = index;
        long h = mix(i);
        int entity = (int) Math.floorMod(h, (long) entities);
        double amount = 1 + Math.floorMod(h >>> 20, 50_000) / 100.0;
        return new Event("b" + i, "card-" + entity, startMillis + i * gapMillis,
                new double[] {amount, Math.floorMod(h >>> 40, 3650)},
                new String[] {CATEGORIES[(int) ((h >>> 8) & 7)], COUNTRIES[(int) ((h >>> 12) & 7)], DEVICES[(int) Math.floorMod(h >>> 16, 3)]},
                (h & 63) == 0 ? 1.0 : 0.0);
    }

    /** SplitMix64's finalizer: a well-spread hash of the index. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
