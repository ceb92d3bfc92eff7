package io.loopline.operators.decode;

import io.loopline.state.serialization.DeadLetterSerializer;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.Event;
import io.loopline.state.records.RawEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes raw events; anything that does not decode goes to the {@link #DEAD_LETTERS} side output
 * with its reason, field and raw bytes. Bad data never fails the job.
 */
public final class DecodeEvents extends ProcessFunction<RawEvent, Event> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", DeadLetterSerializer.TYPE_INFO);

    private final EventDecoder decoder;
    private transient Counter decoded;
    private transient Counter rejected;

    public DecodeEvents(EventDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    public void open(OpenContext openContext) {
        var metrics = getRuntimeContext().getMetricGroup().addGroup("loopline");
        decoded = metrics.counter("events_decoded");
        rejected = metrics.counter("events_dead_lettered");
    }

    @Override
    public void processElement(RawEvent raw, Context ctx, Collector<Event> out) {
        try {
            Event event = decoder.decode(raw.value());
            decoded.inc();
            out.collect(event);
        } catch (InvalidEventException e) {
            rejected.inc();
            ctx.output(
                    DEAD_LETTERS,
                    new DeadLetter(
                            e.reason(),
                            e.field(),
                            e.getMessage(),
                            raw.origin(),
                            raw.key(),
                            raw.value(),
                            ctx.timerService().currentProcessingTime()));
        }
    }
}
