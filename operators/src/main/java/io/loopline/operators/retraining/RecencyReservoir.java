package io.loopline.operators.retraining;

import java.io.Serializable;

/**
 * Where the n-th labelled example goes in a bounded training buffer: appended until the buffer is
 * full, then over a random slot. Once full, an example's chance to still be there decays as
 * exp(-age / capacity) (the biased reservoir of Aggarwal, VLDB 2006, which fills the buffer first
 * here so that training never waits for it), so the buffer holds mostly recent examples with a
 * thinning tail of older ones, and an old regime fades out instead of being cut off at a hard edge. Deterministic in (seed, sequence): a replay or a
 * restore places every example in the same slot.
 */
public record RecencyReservoir(int capacity, long seed) implements Serializable {

    public RecencyReservoir {
        if (capacity < 2) {
            throw new IllegalArgumentException("trainer.buffer-size must be >= 2, got " + capacity);
        }
    }

    /**
     * The slot for the example with this sequence number (0-based) given the current fill: the next
     * free slot (the buffer grows), or an existing slot to overwrite.
     */
    public int slotFor(long sequence, int size) {
        if (size < capacity) {
            return size;
        }
        return (int) Math.floorMod(mix(sequence), (long) capacity);
    }

    private long mix(long sequence) {
        long z = seed + sequence * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
