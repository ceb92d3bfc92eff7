package io.loopline.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.Event;
import io.loopline.state.records.RawEvent;
import io.loopline.state.schema.EventSchema;
import io.loopline.state.schema.TimeFormat;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class DecodeEventsTest {
    private static final EventSchema SCHEMA =
            new EventSchema("id", "user", "ts", TimeFormat.EPOCH_MILLIS, List.of("amount"), List.of(), Set.of(), null);

    private static RawEvent raw(String json, String origin) {
        return new RawEvent("k".getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8), origin, 1L);
    }

    @Test
    void goodEventsFlowOnAndBadOnesBecomeDeadLettersWithTheirBytes() throws Exception {
        try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(new DecodeEvents(new EventDecoder(SCHEMA)))) {
            harness.processElement(raw("{\"id\":\"a\",\"user\":\"u\",\"ts\":3,\"amount\":1.5}", "events-0@0"), 10);
            harness.processElement(raw("{\"id\":\"b\",\"user\":\"u\",\"ts\":4,\"amount\":\"x\"}", "events-0@1"), 11);
            harness.processElement(raw("{oops", "events-1@0"), 12);

            List<Event> events = harness.extractOutputValues();
            assertThat(events).extracting(Event::id).containsExactly("a");

            List<DeadLetter> dead = harness.getSideOutput(DecodeEvents.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
            assertThat(dead).extracting(DeadLetter::reason).containsExactly("wrong-type", "malformed-json");
            assertThat(dead).extracting(DeadLetter::field).containsExactly("amount", null);
            assertThat(dead).extracting(DeadLetter::source).containsExactly("events-0@1", "events-1@0");
            assertThat(new String(dead.get(1).raw(), StandardCharsets.UTF_8)).isEqualTo("{oops");
            assertThat(dead.get(0).key()).isEqualTo("k".getBytes(StandardCharsets.UTF_8));
        }
    }
}
