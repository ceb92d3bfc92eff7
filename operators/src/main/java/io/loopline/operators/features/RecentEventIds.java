package io.loopline.operators.features;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The event ids one entity has processed within the deduplication window, as a sliding window in
 * event time. Stored as a flat {@code long[]} of (event time, id hash) pairs, oldest first: inside the
 * entity's value in serving, in a value of its own beside the aggregates in the backfill. Events must
 * be offered in event-time order (the operators sort them).
 *
 * <p>Ids are kept as 64-bit hashes (FNV-1a, then a murmur finalizer): two different ids collide with
 * probability about n²/2⁶⁵ for n ids in an entity's window, which for the 10,000-id cap is 3·10⁻¹².
 */
final class RecentEventIds {
    private static final int SCAN_LIMIT = 32;

    private final long windowMillis;
    private final int maxIds;
    private long[] pairs;
    private int head;
    private int tail;
    /**
     * Hash to the time it was last seen, for what is between head and tail; null while there are
     * few enough to scan (most entities: building the map cost more than the whole lookup).
     */
    private Map<Long, Long> latestByHash;

    RecentEventIds(long[] stored, long windowMillis, int maxIds) {
        this.windowMillis = windowMillis;
        this.maxIds = maxIds;
        this.pairs = stored == null || stored.length == 0 ? new long[32] : stored;
        this.tail = stored == null ? 0 : stored.length / 2;
        indexIfMany();
    }

    private void indexIfMany() {
        if (latestByHash == null && tail - head > SCAN_LIMIT) {
            latestByHash = new HashMap<>();
            for (int i = head; i < tail; i++) {
                latestByHash.put(pairs[2 * i + 1], pairs[2 * i]);
            }
        }
    }

    /** The latest time {@code hash} was seen between head and tail, or null. */
    private Long lastSeen(long hash) {
        if (latestByHash != null) {
            return latestByHash.get(hash);
        }
        for (int i = tail - 1; i >= head; i--) {
            if (pairs[2 * i + 1] == hash) {
                return pairs[2 * i];
            }
        }
        return null;
    }

    /**
     * Records {@code id} at {@code time}; false when it was already seen within the window before
     * (a duplicate, which is not recorded again, so the window runs from the first sighting).
     */
    boolean firstSighting(String id, long time) {
        forgetBefore(time - windowMillis);
        long hash = hash(id);
        if (lastSeen(hash) != null) {
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
        if (latestByHash != null) {
            latestByHash.put(hash, time);
        } else {
            indexIfMany();
        }
        return true;
    }

    /** Whether {@code id} was seen within the window before {@code time}, without recording it. */
    boolean seenWithin(String id, long time) {
        Long seen = lastSeen(hash(id));
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
        Long seen = latestByHash == null ? null : latestByHash.get(hash);
        if (seen != null && seen == pairs[2 * head]) {
            latestByHash.remove(hash);
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
