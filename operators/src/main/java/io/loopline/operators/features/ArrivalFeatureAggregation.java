package io.loopline.operators.features;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.Event;
import io.loopline.state.records.EventWithAggregates;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Serving's feature aggregation: each event leaves the moment it arrives, with exactly the features
 * the backfill ({@link FeatureAggregation}) gives it whenever its entity's earlier events arrived
 * before it, whatever the order of other entities' events.
 *
 * <p>One state access per event. Everything known of an entity is one {@link EntityFeatureState}
 * value: the aggregates of its events behind the watermark, its events still within the spec's
 * out-of-orderness (waiting), and its recent event ids. An event reads it once, folds in the waiting
 * events the watermark has passed (in event-time order, as the backfill does), leaves with the
 * aggregates plus its waiting events of strictly earlier timestamps, joins the waiting events, and
 * writes the value once. No timers: folding waits for the entity's next event, which is the first
 * moment the aggregates are read, so the numbers are the same as folding when the watermark passes.
 *
 * <p>An event that arrives after a later one of its entity still gets exactly its point-in-time
 * features (the later one waits, unseen, until the watermark passes it). The later one, which left
 * first, could not see it: it is counted in {@code events_out_of_entity_order}. An event at or behind
 * the watermark is featurized at once if its entity has aggregated nothing as new; otherwise it is
 * {@code late} and goes to {@link FeatureAggregation#LATE}, as in the backfill.
 *
 * <p>State written by the backfill's savepoint, or by a version that kept waiting events and ids in
 * states of their own (with a timer per timestamp), is taken over as it is met: an entity's first
 * access after such a restore moves its waiting events and ids into its value, and a timer restored
 * from the old layout does the same for its entity.
 */
public final class ArrivalFeatureAggregation extends KeyedProcessFunction<String, Event, EventWithAggregates> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private final FeatureSpec spec;
    private transient boolean restored;
    private transient ArrivalFeatures features;
    private transient ContextOutputs outputs;

    ArrivalFeatureAggregation(FeatureSpec spec) {
        this.spec = spec;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        restored = context.isRestored();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        // All of it is keyed state.
    }

    @Override
    public void open(OpenContext openContext) {
        features = new ArrivalFeatures(spec, getRuntimeContext(), restored);
        outputs = new ContextOutputs();
    }

    @Override
    public void processElement(Event event, Context ctx, Collector<EventWithAggregates> out) throws Exception {
        features.process(event, ctx.timerService().currentWatermark(), outputs.to(ctx, out));
    }

    /** Only timers restored from the older layout fire here: their entity's waiting events move into its value. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EventWithAggregates> out) throws Exception {
        features.takeOverOnTimer(ctx.timerService().currentWatermark(), outputs.to(ctx, out));
    }

    /** The function's collector and its context's side output, for the call at hand. */
    private static final class ContextOutputs implements ArrivalFeatures.Outputs {
        private Context ctx;
        private Collector<EventWithAggregates> out;

        ContextOutputs to(Context context, Collector<EventWithAggregates> collector) {
            this.ctx = context;
            this.out = collector;
            return this;
        }

        @Override
        public void collect(EventWithAggregates row) {
            out.collect(row);
        }

        @Override
        public void late(DeadLetter letter) {
            ctx.output(FeatureAggregation.LATE, letter);
        }

        @Override
        public long processingTime() {
            return ctx.timerService().currentProcessingTime();
        }
    }
}
