package io.loopline.operators.features;

import io.loopline.state.serialization.EntityLabelSerializer;
import io.loopline.state.serialization.EventWithAggregatesSerializer;
import io.loopline.state.serialization.FeatureVectorSerializer;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.aggregates.EntityLabelsSnapshot;
import io.loopline.state.aggregates.EntityStateSnapshot;
import io.loopline.state.profile.FeatureFit;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.Event;
import io.loopline.state.records.EntityLabel;
import io.loopline.state.records.EventWithAggregates;
import org.apache.flink.api.common.functions.FlatMapFunction;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.ModelAnnouncement;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;

/**
 * Assembles the feature operators onto a stream of decoded events. The backfill (BATCH) and the
 * serving job (STREAMING) both call this with the same spec and get the same numbers; the serving
 * job only lets each event leave on arrival ({@link #onArrival}) instead of when the watermark passes it.
 */
public final class FeaturePipeline {
    /** Sources that stop sending (an idle partition) must not hold back everyone's watermark forever. */
    private static final Duration SOURCE_IDLENESS = Duration.ofSeconds(30);

    public static final String AGGREGATION_UID = "feature-aggregation";

    /**
     * The rows (event + aggregates), the events that came too late to be featurized, and each
     * entity's state at the end of a bounded input (for a savepoint).
     */
    public record Aggregated(DataStream<EventWithAggregates> rows, DataStream<DeadLetter> lateEvents,
            DataStream<EntityStateSnapshot> finalStates, DataStream<EntityLabelsSnapshot> finalLabels) {}

    private final FeatureSpec spec;
    private boolean emitOnArrival;
    private DataStream<EntityLabel> labels;

    public FeaturePipeline(FeatureSpec spec) {
        this.spec = spec;
    }

    /**
     * Each event leaves the feature operator as it arrives, with its point-in-time features, rather
     * than once the watermark passes it (the spec's out-of-orderness later): for scoring. See
     * {@link FeatureAggregation#onArrival}.
     */
    public FeaturePipeline onArrival() {
        this.emitOnArrival = true;
        return this;
    }

    /**
     * The labels that {@code label_history} features read, with their entities and arrival times (event
     * time, with watermarks: an event waits until the labels stream has passed it). Serving must give
     * them when the spec has such features; without them (the backfill) each event's own label counts,
     * arriving the spec's {@code labels.arrival_delay} after the event.
     */
    public FeaturePipeline withLabels(DataStream<EntityLabel> labels) {
        this.labels = labels;
        return this;
    }

    /** Event time, then keyed aggregation by entity. */
    public Aggregated aggregate(DataStream<Event> events) {
        long boundMillis = spec.outOfOrderness().toMillis();
        long idleFlushMillis = spec.idleFlush().toMillis();
        return aggregateTimed(events
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Event>forGenerator(
                                context -> new FlushingOutOfOrdernessWatermarks<Event>(boundMillis, idleFlushMillis, context.getInputActivityClock()))
                        .withTimestampAssigner(new EventTimestamps())
                        .withIdleness(SOURCE_IDLENESS))
                .uid("feature-event-time")
                .name("Event Time"));
    }

    /**
     * The spec's event-time rules as a source's watermark strategy on raw events: with it, a source
     * that reads several partitions (Kafka) keeps one watermark per partition and forwards their
     * minimum, so a partition read ahead of another never makes the other's events late. The time is
     * read from the raw JSON; an event without one gets none and is dead-lettered by the decoder.
     */
    public WatermarkStrategy<io.loopline.state.records.RawEvent> sourceWatermarks() {
        long boundMillis = spec.outOfOrderness().toMillis();
        long idleFlushMillis = spec.idleFlush().toMillis();
        var decoder = new io.loopline.operators.decode.EventDecoder(spec.schema());
        return WatermarkStrategy.<io.loopline.state.records.RawEvent>forGenerator(
                        context -> new FlushingOutOfOrdernessWatermarks<io.loopline.state.records.RawEvent>(boundMillis, idleFlushMillis,
                                context.getInputActivityClock()))
                .withTimestampAssigner((raw, recordTimestamp) -> decoder.timestampOf(raw.value()))
                .withIdleness(SOURCE_IDLENESS);
    }

    /** Keyed aggregation by entity of events whose timestamps and watermarks are already set ({@link #sourceWatermarks}). */
    public Aggregated aggregateTimed(DataStream<Event> events) {
        var keyed = events.keyBy(Event::entity, Types.STRING);
        SingleOutputStreamOperator<EventWithAggregates> rows = (emitOnArrival
                ? keyed.process(FeatureAggregation.onArrival(spec))
                : keyed.process(FeatureAggregation.inEventTimeOrder(spec)))
                .returns(EventWithAggregatesSerializer.TYPE_INFO)
                .uid(AGGREGATION_UID)
                .name("Feature Aggregation");
        DataStream<DeadLetter> late = rows.getSideOutput(FeatureAggregation.LATE);
        DataStream<EntityStateSnapshot> finalStates = rows.getSideOutput(FeatureAggregation.FINAL_STATES);
        if (!spec.hasLabelHistory()) {
            return new Aggregated(rows, late, finalStates, null);
        }
        SingleOutputStreamOperator<EventWithAggregates> withLabels = withLabelHistory(events, rows);
        return new Aggregated(withLabels, late, finalStates, withLabels.getSideOutput(LabelHistoryOperator.FINAL_LABELS));
    }

    /**
     * Serving with scoring, for a spec without {@code label_history} features: each event's model input
     * vector, computed on arrival with the fitted statistics, and the model announcements forwarded in
     * between, from one operator ({@link ArrivalFeatureVectors}) under the aggregation's uid, so scoring
     * can be chained to it. Late events and duplicates leave through {@link FeatureAggregation#LATE}.
     */
    public SingleOutputStreamOperator<Either<FeatureVector, ModelAnnouncement>> vectorsOnArrival(DataStream<Event> events,
            BroadcastStream<ModelAnnouncement> announcements, FeatureFit fit) {
        if (spec.hasLabelHistory()) {
            throw new IllegalStateException("spec '" + spec.name() + "' has label_history features: aggregate, then transform");
        }
        return events.keyBy(Event::entity, Types.STRING)
                .connect(announcements)
                .process(new ArrivalFeatureVectors(spec, new FeatureTransformer(spec, fit)), ArrivalFeatureVectors.OUTPUT_TYPE)
                .uid(AGGREGATION_UID)
                .name("Features on Arrival");
    }

    private SingleOutputStreamOperator<EventWithAggregates> withLabelHistory(DataStream<Event> events, DataStream<EventWithAggregates> rows) {
        DataStream<EntityLabel> known = labels;
        if (known == null) {
            if (emitOnArrival) {
                throw new IllegalStateException("spec '" + spec.name() + "' has label_history features: serving needs the labels stream (withLabels)");
            }
            long delay = spec.labelTiming().arrivalDelay().toMillis();
            known = events.flatMap((FlatMapFunction<Event, EntityLabel>) (event, out) -> {
                        if (event.hasLabel()) {
                            out.collect(new EntityLabel(event.entity(), event.label(), event.timestamp() + delay));
                        }
                    })
                    .returns(EntityLabelSerializer.TYPE_INFO)
                    .uid("labels-of-history")
                    .name("Labels of the History");
        }
        return rows.connect(known)
                .keyBy(row -> row.event().entity(), EntityLabel::entity, Types.STRING)
                .transform("Label History", EventWithAggregatesSerializer.TYPE_INFO, new LabelHistoryOperator(spec))
                .uid(LabelHistoryOperator.UID);
    }

    /**
     * Writes the entities' final states as a savepoint holding the feature operator's keyed state
     * (same uid, descriptor and serializers as the streaming operator), so a serving job started from
     * it has warm aggregates from its first event. Runs inside the (BATCH) job of {@code env}.
     */
    public void writeSavepoint(StreamExecutionEnvironment env, Aggregated aggregated, int maxParallelism, String path) {
        SavepointWriter savepoint = SavepointWriter.newSavepoint(env, new HashMapStateBackend(), maxParallelism)
                .withOperator(OperatorIdentifier.forUid(AGGREGATION_UID),
                        OperatorTransformation.bootstrapWith(aggregated.finalStates())
                                .keyBy(EntityStateSnapshot::entity, Types.STRING)
                                .transform(new FeatureStateBootstrap(spec)));
        if (aggregated.finalLabels() != null) {
            // Label history too: a serving job restored from it knows each entity's labels from its first event.
            savepoint = savepoint.withOperator(OperatorIdentifier.forUid(LabelHistoryOperator.UID),
                    OperatorTransformation.bootstrapWith(aggregated.finalLabels())
                            .keyBy(EntityLabelsSnapshot::entity, Types.STRING)
                            .transform(new LabelHistoryBootstrap(spec)));
        }
        savepoint.write(path);
    }

    /** The stateless transform into model input vectors, with the backfill's fitted statistics. */
    public DataStream<FeatureVector> transform(DataStream<EventWithAggregates> rows, FeatureFit fit) {
        return rows.map(new TransformFeatures(new FeatureTransformer(spec, fit)))
                .returns(FeatureVectorSerializer.TYPE_INFO)
                .uid("feature-transform")
                .name("Feature Transform");
    }
}
