package io.loopline.operators.features;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Bounded out-of-orderness watermarks (the largest timestamp seen minus the bound) that also flush:
 * once no event has arrived for {@code idleFlushMillis} of wall-clock time, the watermark moves up
 * to the largest timestamp seen, so the last events before a pause are featurized now instead of
 * waiting for the next event. An event that arrives after such a pause with an older timestamp is
 * late. The input is then marked idle, so it does not hold back other parallel inputs. {@code
 * idleFlushMillis = 0} never flushes (pure event time).
 *
 * <p>The pause is measured on the input's activity clock ({@code getInputActivityClock()} of the
 * generator's context), which stands still while the source is back-pressured: a source that waits
 * for a slow downstream has events, it only cannot hand them on, and flushing then would make the
 * events it still holds late. On a busy machine that lost valid events to the dead-letter topic.
 */
public final class FlushingOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
    private final long boundMillis;
    private final long idleFlushNanos;
    private final RelativeClock activity;
    private long maxTimestamp = Long.MIN_VALUE;
    private long lastEventNanos;
    /** Whether an event came since the last periodic emit: the clock (synchronized in Flink) is read there, not per event. */
    private boolean eventSinceEmit;
    private long lastEmitted = Long.MIN_VALUE;

    public FlushingOutOfOrdernessWatermarks(long boundMillis, long idleFlushMillis, RelativeClock activity) {
        this.boundMillis = boundMillis;
        this.idleFlushNanos = idleFlushMillis * 1_000_000L;
        this.activity = activity;
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
        if (eventTimestamp == Long.MIN_VALUE) {
            return; // no time: the decoder dead-letters it
        }
        maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
        eventSinceEmit = true;
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (maxTimestamp == Long.MIN_VALUE) {
            return;
        }
        long now = activity.relativeTimeNanos();
        if (eventSinceEmit) {
            lastEventNanos = now; // at most one emit interval (200 ms) after the event: nothing next to a flush of seconds
            eventSinceEmit = false;
        }
        boolean idle = idleFlushNanos > 0 && now - lastEventNanos >= idleFlushNanos;
        long watermark = idle ? maxTimestamp : maxTimestamp - boundMillis - 1;
        if (watermark > lastEmitted) {
            lastEmitted = watermark;
            output.emitWatermark(new Watermark(watermark));
        }
        if (idle) {
            // An idle input must not hold back the others: when all inputs are idle, Flink
            // forwards the largest of their watermarks, so every buffered event gets processed.
            output.markIdle();
        }
    }
}
