package io.loopline.operators.features;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loopline.state.records.Event;
import io.loopline.state.schema.EventSchema;
import java.nio.charset.StandardCharsets;

/** Writes a decoded event back as JSON in its schema's field names (for dead letters after decoding). */
final class EventJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventJson() {}

    static byte[] encode(Event e, EventSchema schema) {
        ObjectNode node = JSON.createObjectNode();
        node.put(schema.idField(), e.id());
        node.put(schema.entityField(), e.entity());
        node.put(schema.timeField(), e.timestamp());
        for (int i = 0; i < e.numbers().length; i++) {
            if (!Double.isNaN(e.numbers()[i])) {
                node.put(schema.numericFields().get(i), e.numbers()[i]);
            }
        }
        for (int i = 0; i < e.categories().length; i++) {
            if (e.categories()[i] != null) {
                node.put(schema.categoricalFields().get(i), e.categories()[i]);
            }
        }
        if (e.hasLabel() && schema.labelField().isPresent()) {
            node.put(schema.labelField().get(), e.label());
        }
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }
}
