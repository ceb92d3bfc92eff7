package io.loopline.operators.features;

import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.profile.FeatureFit;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.Event;
import io.loopline.state.records.EventWithAggregates;
import io.loopline.state.records.FeatureVector;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Assembles the feature operators onto a stream of decoded events. The backfill (BATCH) and the
 * serving job (STREAMING) both call this, unchanged; only the runtime mode differs.
 */
public final class FeaturePipeline {
    /** Sources that stop sending (an idle partition) must not hold back everyone's watermark forever. */
    private static final Duration SOURCE_IDLENESS = Duration.ofSeconds(30);

    public static final String AGGREGATION_UID = "feature-aggregation";

    /** The rows (event + aggregates) and the events that came too late to be featurized. */
    public record Aggregated(DataStream<EventWithAggregates> rows, DataStream<DeadLetter> lateEvents) {}

    private final FeatureSpec spec;

    public FeaturePipeline(FeatureSpec spec) {
        this.spec = spec;
    }

    /** Event time, then keyed aggregation by entity. */
    public Aggregated aggregate(DataStream<Event> events) {
        long boundMillis = spec.outOfOrderness().toMillis();
        long idleFlushMillis = spec.idleFlush().toMillis();
        SingleOutputStreamOperator<EventWithAggregates> rows = events
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Event>forGenerator(
                                context -> new FlushingOutOfOrdernessWatermarks(boundMillis, idleFlushMillis))
                        .withTimestampAssigner(new EventTimestamps())
                        .withIdleness(SOURCE_IDLENESS))
                .uid("feature-event-time")
                .name("Event Time")
                .keyBy(Event::entity, Types.STRING)
                .process(new FeatureAggregation(spec))
                .returns(EventWithAggregates.TYPE_INFO)
                .uid(AGGREGATION_UID)
                .name("Feature Aggregation");
        return new Aggregated(rows, rows.getSideOutput(FeatureAggregation.LATE));
    }

    /** The stateless transform into model input vectors, with the backfill's fitted statistics. */
    public DataStream<FeatureVector> transform(DataStream<EventWithAggregates> rows, FeatureFit fit) {
        return rows.map(new TransformFeatures(new FeatureTransformer(spec, fit)))
                .returns(FeatureVector.TYPE_INFO)
                .uid("feature-transform")
                .name("Feature Transform");
    }
}
