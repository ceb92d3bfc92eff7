package io.loopline.operators.activity;

import io.loopline.state.records.EntityActivity;
import io.loopline.state.records.Event;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by entity: numbers each entity's events and measures the event-time gap to its previous
 * event.
 *
 * <p>State per entity is two longs. It is bounded by a TTL: an entity idle for longer than {@code
 * idleRetention} is forgotten (RocksDB drops it in compaction, the heap backend on access), and
 * starts again at sequence 1 if it comes back.
 */
public final class EntityActivityTracker extends KeyedProcessFunction<String, Event, EntityActivity> {
    private static final long serialVersionUID = 1L;

    private final Duration idleRetention;
    private transient ValueState<Long> sequence;
    private transient ValueState<Long> lastEventTime;

    public EntityActivityTracker(Duration idleRetention) {
        if (idleRetention.isNegative() || idleRetention.isZero()) {
            throw new IllegalArgumentException("idleRetention must be positive, got " + idleRetention);
        }
        this.idleRetention = idleRetention;
    }

    @Override
    public void open(OpenContext openContext) {
        StateTtlConfig ttl =
                StateTtlConfig.newBuilder(idleRetention)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .cleanupInRocksdbCompactFilter(1000)
                        .build();
        var sequenceDescriptor = new ValueStateDescriptor<>("entity-sequence", Types.LONG);
        sequenceDescriptor.enableTimeToLive(ttl);
        var lastTimeDescriptor = new ValueStateDescriptor<>("entity-last-event-time", Types.LONG);
        lastTimeDescriptor.enableTimeToLive(ttl);
        sequence = getRuntimeContext().getState(sequenceDescriptor);
        lastEventTime = getRuntimeContext().getState(lastTimeDescriptor);
    }

    @Override
    public void processElement(Event event, Context ctx, Collector<EntityActivity> out) throws Exception {
        Long previousSequence = sequence.value();
        Long previousTime = lastEventTime.value();
        long next = previousSequence == null ? 1 : previousSequence + 1;
        long gap = previousTime == null ? -1 : Math.max(0, event.timestamp() - previousTime);
        sequence.update(next);
        lastEventTime.update(previousTime == null ? event.timestamp() : Math.max(previousTime, event.timestamp()));
        out.collect(new EntityActivity(event.id(), event.entity(), event.timestamp(), next, gap));
    }
}
