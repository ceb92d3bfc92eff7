package io.loopline.operators.retraining;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecencyReservoirTest {

    /** Simulates the buffer: the sequence number held in each slot. */
    private static long[] fill(RecencyReservoir reservoir, long examples) {
        long[] slots = new long[reservoir.capacity()];
        int size = 0;
        for (long n = 0; n < examples; n++) {
            int slot = reservoir.slotFor(n, size);
            assertThat(slot).isBetween(0, Math.min(size, reservoir.capacity() - 1));
            slots[slot] = n;
            if (slot == size) {
                size++;
            }
        }
        return java.util.Arrays.copyOf(slots, size);
    }

    @Test
    void staysBoundedAndMostlyRecentWhileOldRegimesFade() {
        RecencyReservoir reservoir = new RecencyReservoir(1000, 7);
        long[] held = fill(reservoir, 20_000);
        assertThat(held).hasSize(1000);
        assertThat(fill(reservoir, 700)).as("appends until full").hasSize(700);
        long recent = java.util.Arrays.stream(held).filter(n -> n >= 19_000).count();
        long old = java.util.Arrays.stream(held).filter(n -> n < 15_000).count();
        // survival after age a is about exp(-a / capacity): most of the last 1000, almost nothing 5000 back
        assertThat((double) recent / held.length).isGreaterThan(0.55);
        assertThat(old).isLessThan(15);
        assertThat(java.util.Arrays.stream(held).filter(n -> n >= 17_000 && n < 19_000).count()).as("a thinning tail, not a hard cut").isGreaterThan(50);
    }

    @Test
    void isDeterministic() {
        assertThat(fill(new RecencyReservoir(100, 3), 5000)).isEqualTo(fill(new RecencyReservoir(100, 3), 5000));
        assertThat(fill(new RecencyReservoir(100, 3), 5000)).isNotEqualTo(fill(new RecencyReservoir(100, 4), 5000));
    }
}
