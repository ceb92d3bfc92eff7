package io.loopline.operators.features;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The event ids one entity has processed within the deduplication window, as a sliding window in
 * event time. Stored as a flat {@code long[]} of (event time, id hash) pairs, oldest first: one value
 * per entity, read and written once per watermark advance like the aggregates, with a
 * primitive-array serializer. Events must be offered in event-time order (the operator sorts them).
 *
 * <p>Ids are kept as 64-bit hashes (FNV-1a, then a murmur finalizer): two different ids collide with
 * probability about n²/2⁶⁵ for n ids in an entity's window, which for the 10,000-id cap is 3·10⁻¹².
 */
final class RecentEventIds {
    private final long windowMillis;
    private final int maxIds;
    private long[] pairs;
    private int head;
    private int tail;
    /** Hash to the time it was last seen, for what is between head and tail. */
    private final Map<Long, Long> lastSeen = new HashMap<>();

    RecentEventIds(long[] stored, long windowMillis, int maxIds) {
        this.windowMillis = windowMillis;
        this.maxIds = maxIds;
        this.pairs = stored == null || stored.length == 0 ? new long[32] : stored;
        this.tail = stored == null ? 0 : stored.length / 2;
        for (int i = 0; i < tail; i++) {
            lastSeen.put(pairs[2 * i + 1], pairs[2 * i]);
        }
    }

    /**
     * Records {@code id} at {@code time}; false when it was already seen within the window before
     * (a duplicate, which is not recorded again, so the window runs from the first sighting).
     */
    boolean firstSighting(String id, long time) {
        forgetBefore(time - windowMillis);
        long hash = hash(id);
        if (lastSeen.containsKey(hash)) {
            return false;
        }
        if (tail - head >= maxIds) {
            forgetOldest();
        }
        if (2 * tail == pairs.length) {
            compactOrGrow();
        }
        pairs[2 * tail] = time;
        pairs[2 * tail + 1] = hash;
        tail++;
        lastSeen.put(hash, time);
        return true;
    }

    /** Whether {@code id} was seen within the window before {@code time}, without recording it. */
    boolean seenWithin(String id, long time) {
        Long seen = lastSeen.get(hash(id));
        return seen != null && seen >= time - windowMillis;
    }

    /** What to store after the events up to {@code latestTime}: the ids still inside the window, or null for none. */
    long[] toStore(long latestTime) {
        forgetBefore(latestTime - windowMillis);
        return head == tail ? null : Arrays.copyOfRange(pairs, 2 * head, 2 * tail);
    }

    private void forgetBefore(long notBefore) {
        while (head < tail && pairs[2 * head] < notBefore) {
            forgetOldest();
        }
    }

    private void forgetOldest() {
        long hash = pairs[2 * head + 1];
        // Only if this entry is the hash's latest sighting: a colliding younger one keeps it.
        Long seen = lastSeen.get(hash);
        if (seen != null && seen == pairs[2 * head]) {
            lastSeen.remove(hash);
        }
        head++;
    }

    private void compactOrGrow() {
        int live = tail - head;
        long[] target = live * 2 > pairs.length / 2 ? new long[pairs.length * 2] : pairs;
        System.arraycopy(pairs, 2 * head, target, 0, 2 * live);
        pairs = target;
        head = 0;
        tail = live;
    }

    static long hash(String id) {
        byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
