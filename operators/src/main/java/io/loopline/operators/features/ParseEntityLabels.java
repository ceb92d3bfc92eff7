package io.loopline.operators.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.state.records.EntityLabel;
import io.loopline.state.records.RawEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/**
 * Reads the labels topic for label-history features: {@code {"eventId", "label", "timestamp", <entity field>}}.
 * A label feeds its entity's history only when it names the entity (the spec's entity field, as in events);
 * others are counted ({@code labels_without_entity}) and skipped here. Malformed labels are the learning
 * job's to dead-letter, which reads the same topic; serving must not report them twice.
 */
public final class ParseEntityLabels extends RichFlatMapFunction<RawEvent, EntityLabel> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String entityField;
    private transient Counter withoutEntity;

    public ParseEntityLabels(String entityField) {
        this.entityField = entityField;
    }

    @Override
    public void open(OpenContext openContext) {
        withoutEntity = getRuntimeContext().getMetricGroup().addGroup("loopline").counter("labels_without_entity");
    }

    @Override
    public void flatMap(RawEvent raw, Collector<EntityLabel> out) {
        JsonNode n;
        try {
            n = JSON.readTree(raw.value());
        } catch (Exception e) {
            return;
        }
        JsonNode entity = n.path(entityField);
        JsonNode label = n.path("label");
        JsonNode timestamp = n.path("timestamp");
        if (!label.isNumber() || !Double.isFinite(label.asDouble()) || !timestamp.canConvertToLong()) {
            return;
        }
        if (!entity.isValueNode() || entity.isNull() || entity.asText().isEmpty()) {
            withoutEntity.inc();
            return;
        }
        out.collect(new EntityLabel(entity.asText(), label.asDouble(), timestamp.asLong()));
    }
}
