package io.loopline.jobs;

import io.loopline.operators.activity.EntityActivityTracker;
import io.loopline.operators.decode.DecodeEvents;
import io.loopline.operators.decode.EventDecoder;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.EntityActivity;
import io.loopline.state.records.Event;
import io.loopline.state.records.RawEvent;
import io.loopline.state.schema.EventSchema;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The serving path: raw events are decoded (bad ones to dead-letters), keyed by entity through
 * per-entity state, and written out. The job takes its source and sinks as arguments, so tests run
 * this exact topology with their own I/O; {@code main}-style callers wire Kafka.
 */
public final class ServingJob {
    public static final String JOB_NAME = "Loopline Serving";

    /** Settings of the topology itself (not of the cluster it runs on). */
    public record Settings(EventSchema schema, int maxParallelism, Duration entityIdleRetention) {
        public Settings {
            Objects.requireNonNull(schema, "schema");
            if (maxParallelism < 1 || maxParallelism > 32768) {
                throw new IllegalArgumentException("max parallelism must be in [1, 32768], got " + maxParallelism);
            }
        }
    }

    private final Source<RawEvent, ?, ?> events;
    private final Sink<EntityActivity> predictions;
    private final Sink<DeadLetter> deadLetters;
    private final Settings settings;

    public ServingJob(Source<RawEvent, ?, ?> events, Sink<EntityActivity> predictions, Sink<DeadLetter> deadLetters, Settings settings) {
        this.events = events;
        this.predictions = predictions;
        this.deadLetters = deadLetters;
        this.settings = settings;
    }

    /** Adds the topology to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        env.setMaxParallelism(settings.maxParallelism());

        SingleOutputStreamOperator<Event> decoded = env
                .fromSource(events, WatermarkStrategy.noWatermarks(), "Events")
                .uid("events-source")
                .returns(RawEvent.TYPE_INFO)
                .process(new DecodeEvents(new EventDecoder(settings.schema())))
                .returns(Event.TYPE_INFO)
                .uid("decode-events")
                .name("Decode Events");

        decoded.getSideOutput(DecodeEvents.DEAD_LETTERS)
                .sinkTo(deadLetters)
                .uid("dead-letters-sink")
                .name("Dead Letters");

        decoded.keyBy(Event::entity, Types.STRING)
                .process(new EntityActivityTracker(settings.entityIdleRetention()))
                .returns(EntityActivity.TYPE_INFO)
                .uid("entity-activity")
                .name("Entity Activity")
                .sinkTo(predictions)
                .uid("predictions-sink")
                .name("Predictions");
    }

    /** Builds the topology and submits it without waiting for it to finish. */
    public JobClient start(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.executeAsync(JOB_NAME);
    }
}
