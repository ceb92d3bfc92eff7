package io.loopline.operators.learning;

import io.loopline.state.serialization.DeadLetterSerializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.Label;
import io.loopline.state.records.RawEvent;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Reads the labels topic: {@code {"eventId": "...", "label": 0|1, "timestamp": epoch-millis}} (the
 * time the outcome was observed). Anything else goes to dead letters as {@code malformed-label}.
 */
public final class ParseLabels extends ProcessFunction<RawEvent, Label> {
    private static final long serialVersionUID = 1L;
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("unreadable-labels", DeadLetterSerializer.TYPE_INFO);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void processElement(RawEvent raw, Context ctx, Collector<Label> out) {
        String problem;
        try {
            JsonNode n = JSON.readTree(raw.value());
            if (!n.path("eventId").isTextual()) {
                problem = "no eventId";
            } else if (!n.path("label").isNumber() || !Double.isFinite(n.path("label").asDouble())) {
                problem = "label is not a number";
            } else if (!n.path("timestamp").canConvertToLong()) {
                problem = "timestamp is not epoch milliseconds";
            } else {
                out.collect(new Label(n.path("eventId").asText(), n.path("label").asDouble(), n.path("timestamp").asLong()));
                return;
            }
        } catch (Exception e) {
            problem = "not JSON: " + e.getMessage();
        }
        ctx.output(DEAD_LETTERS, new DeadLetter("malformed-label", null, problem, raw.origin(), raw.key(), raw.value(),
                ctx.timerService().currentProcessingTime()));
    }
}
