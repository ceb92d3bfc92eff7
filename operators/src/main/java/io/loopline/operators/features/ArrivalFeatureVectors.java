package io.loopline.operators.features;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.Event;
import io.loopline.state.records.EventWithAggregates;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.ModelAnnouncement;
import io.loopline.state.serialization.FeatureVectorSerializer;
import io.loopline.state.serialization.ModelAnnouncementSerializer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.BaseBroadcastProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

/**
 * Serving's features ahead of scoring, in one operator: each event is aggregated on arrival exactly
 * as {@link ArrivalFeatureAggregation} does it (the same state, under the same uid, so the backfill's
 * savepoint warms it up), transformed with the fitted statistics into its model input vector, and
 * leaves as {@code Left}; each model announcement of the broadcast input leaves as {@code Right}, in
 * the order it came. Scoring reads both from this one stream, so it can be chained to this operator
 * (no serialization or thread hand-off per event) and still see every announcement on each subtask.
 *
 * <p>The announcements carry no event time: their input must be idle (see {@code ServingJob}), so
 * that the operator's watermark is the events' alone.
 */
public final class ArrivalFeatureVectors
        extends KeyedBroadcastProcessFunction<String, Event, ModelAnnouncement, Either<FeatureVector, ModelAnnouncement>>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** What leaves: vectors and announcements, each with its own explicit serializer. */
    public static final TypeInformation<Either<FeatureVector, ModelAnnouncement>> OUTPUT_TYPE =
            new EitherTypeInfo<>(FeatureVectorSerializer.TYPE_INFO, ModelAnnouncementSerializer.TYPE_INFO);

    private final FeatureSpec spec;
    private final FeatureTransformer transformer;
    private transient boolean restored;
    private transient ArrivalFeatures features;
    private transient VectorOutputs outputs;

    public ArrivalFeatureVectors(FeatureSpec spec, FeatureTransformer transformer) {
        this.spec = spec;
        this.transformer = transformer;
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
        outputs = new VectorOutputs(transformer);
    }

    @Override
    public void processElement(Event event, ReadOnlyContext ctx, Collector<Either<FeatureVector, ModelAnnouncement>> out) throws Exception {
        features.process(event, ctx.currentWatermark(), outputs.to(ctx, out));
    }

    @Override
    public void processBroadcastElement(ModelAnnouncement announcement, Context ctx, Collector<Either<FeatureVector, ModelAnnouncement>> out) {
        out.collect(Either.Right(announcement));
    }

    /** Only timers restored from an older layout of the feature state fire here (see {@link ArrivalFeatureAggregation}). */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Either<FeatureVector, ModelAnnouncement>> out) throws Exception {
        features.takeOverOnTimer(ctx.currentWatermark(), outputs.to(ctx, out));
    }

    /** Rows transformed into vectors on the function's collector; dead letters to the context's side output. */
    private static final class VectorOutputs implements ArrivalFeatures.Outputs {
        private final FeatureTransformer transformer;
        private BaseBroadcastProcessFunction.ReadOnlyContext ctx;
        private Collector<Either<FeatureVector, ModelAnnouncement>> out;

        VectorOutputs(FeatureTransformer transformer) {
            this.transformer = transformer;
        }

        VectorOutputs to(BaseBroadcastProcessFunction.ReadOnlyContext context, Collector<Either<FeatureVector, ModelAnnouncement>> collector) {
            this.ctx = context;
            this.out = collector;
            return this;
        }

        @Override
        public void collect(EventWithAggregates row) {
            out.collect(Either.Left(transformer.transform(row)));
        }

        @Override
        public void late(DeadLetter letter) {
            ctx.output(FeatureAggregation.LATE, letter);
        }

        @Override
        public long processingTime() {
            return ctx.currentProcessingTime();
        }
    }
}
