package io.loopline.operators.decode;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.loopline.state.records.Event;
import io.loopline.state.schema.EventSchema;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;

/**
 * Turns the JSON bytes of one event into an {@link Event} following an {@link EventSchema}, or says
 * exactly why it cannot. Pure Java, no Flink types, so every rule is unit-testable.
 *
 * <p>Rules: the id and entity are strings or integers; numeric fields are JSON numbers and must be
 * finite; categorical fields are strings (integers and booleans are taken as their text); the label
 * is a number, a boolean (true = 1) or a declared text label value. A declared optional field may be absent or null and is then
 * missing (NaN / null); any other declared field must be present. Unknown fields are ignored.
 */
public final class EventDecoder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final EventSchema schema;
    private transient ObjectMapper mapper;
    private transient DeclaredValues declared;
    /** Another decoder's schema instance found equal to this one's (see {@link LastParse}). */
    private transient EventSchema equalSchema;

    public EventDecoder(EventSchema schema) {
        this.schema = schema;
    }

    public EventSchema schema() {
        return schema;
    }

    /** Longest accepted event id or entity (they are state and Kafka keys). */
    public static final int MAX_IDENTIFIER_CHARS = 256;
    /** Longest accepted categorical value. */
    public static final int MAX_CATEGORY_CHARS = 1024;

    /** How far ahead of the wall clock an event time may be (clock skew between producers and Flink). */
    public static final long MAX_FUTURE_MILLIS = 24L * 3600 * 1000;

    /**
     * Only the event time of a raw event, for watermarks at the source; {@link Long#MIN_VALUE} when
     * it has none (the decoder dead-letters it later, with the reason).
     */
    public long timestampOf(byte[] json) {
        if (json == null || json.length == 0) {
            return Long.MIN_VALUE;
        }
        // It parses the whole object, as the decoder does, so an event the decoder rejects as malformed has no time here
        // either; the decoder chained behind the source then takes this parse over instead of scanning the bytes again.
        try {
            return time(parse(json));
        } catch (InvalidEventException | RuntimeException e) {
            return Long.MIN_VALUE;
        }
    }

    public Event decode(byte[] json) throws InvalidEventException {
        if (json == null || json.length == 0) {
            throw new InvalidEventException(InvalidEventException.EMPTY_PAYLOAD, null, "no payload");
        }
        DeclaredValues root = LastParse.of(json, this);
        if (root == null) {
            root = parse(json);
        }
        String id = identifier(root, schema.idField());
        String entity = identifier(root, schema.entityField());
        long time = time(root);

        List<String> numeric = schema.numericFields();
        double[] numbers = new double[numeric.size()];
        for (int i = 0; i < numbers.length; i++) {
            numbers[i] = number(root, numeric.get(i));
        }
        List<String> categorical = schema.categoricalFields();
        String[] categories = new String[categorical.size()];
        for (int i = 0; i < categories.length; i++) {
            categories[i] = category(root, categorical.get(i));
        }
        double label = schema.labelField().isPresent() ? label(root, schema.labelField().get(), schema) : Double.NaN;
        return new Event(id, entity, time, numbers, categories, label);
    }

    /**
     * The declared fields' values of one JSON object, read token by token: undeclared fields are
     * skipped without building anything. Each value is the node Jackson's tree would hold for it (a
     * declared field holding an object or an array is only ever reported by its kind, so an empty one
     * stands in); when a field repeats, the last one counts, as in the tree.
     */
    private DeclaredValues parse(byte[] json) throws InvalidEventException {
        LastParse.forget(); // this decoder's values are about to change
        if (mapper == null) {
            mapper = JsonMapper.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build(); // correctly rounded, faster
        }
        if (declared == null) {
            declared = new DeclaredValues(schema);
        }
        DeclaredValues values = declared.cleared();
        try (JsonParser parser = mapper.getFactory().createParser(json)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new InvalidEventException(InvalidEventException.EMPTY_PAYLOAD, null, "no JSON value");
            }
            if (first != JsonToken.START_OBJECT) {
                parser.skipChildren(); // a malformed array is malformed first
                throw new InvalidEventException(InvalidEventException.NOT_AN_OBJECT, null, "expected a JSON object, got " + kind(first));
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                int slot = values.slotOf(parser.currentName());
                JsonToken value = parser.nextToken();
                if (slot >= 0) {
                    values.set(slot, node(parser, value));
                }
                parser.skipChildren();
            }
            if (parser.currentToken() != JsonToken.END_OBJECT) {
                throw new InvalidEventException(InvalidEventException.MALFORMED_JSON, null, "unexpected end of the object");
            }
            LastParse.remember(json, schema, values);
            return values;
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(
                    InvalidEventException.MALFORMED_JSON, null, firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new InvalidEventException(InvalidEventException.MALFORMED_JSON, null, e.toString());
        }
    }

    private static JsonNode node(JsonParser parser, JsonToken token) throws IOException {
        switch (token) {
            case VALUE_STRING:
                return TextNode.valueOf(parser.getText());
            case VALUE_NUMBER_INT:
                switch (parser.getNumberType()) {
                    case INT:
                        return IntNode.valueOf(parser.getIntValue());
                    case LONG:
                        return LongNode.valueOf(parser.getLongValue());
                    default:
                        return BigIntegerNode.valueOf(parser.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT:
                return DoubleNode.valueOf(parser.getDoubleValue());
            case VALUE_TRUE:
                return BooleanNode.TRUE;
            case VALUE_FALSE:
                return BooleanNode.FALSE;
            case VALUE_NULL:
                return NullNode.getInstance();
            case START_OBJECT:
                return JsonNodeFactory.instance.objectNode();
            case START_ARRAY:
                return JsonNodeFactory.instance.arrayNode();
            default:
                throw new JsonParseException(parser, "unexpected " + token);
        }
    }

    private static String kind(JsonToken token) {
        switch (token) {
            case START_ARRAY:
                return "array";
            case VALUE_STRING:
                return "string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "boolean";
            case VALUE_NULL:
                return "null";
            default:
                return token.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One slot per declared field name; reused from event to event (a decoder serves one thread). */
    /**
     * The values of the last event parsed on this thread, by which bytes and schema. The source's
     * timestamp assigner parses each event for its time and the decoder chained behind it gets the very
     * same byte array next, in the same thread: it takes the values over instead of parsing again.
     * Identity of the array (never equal content) and an equal schema make a hit; anything else parses.
     */
    private static final class LastParse {
        /** One holder per thread, refilled by every parse: nothing is allocated per event. */
        private static final ThreadLocal<LastParse> LAST = ThreadLocal.withInitial(LastParse::new);

        private byte[] json;
        private EventSchema schema;
        private DeclaredValues values;

        static void remember(byte[] json, EventSchema schema, DeclaredValues values) {
            LastParse last = LAST.get();
            last.json = json;
            last.schema = schema;
            last.values = values;
        }

        static void forget() {
            LAST.get().clear();
        }

        /**
         * The values parsed from exactly this array with a schema equal to {@code asking}'s, or null. The
         * asking decoder remembers the other decoder's schema instance once found equal, so the schemas
         * are compared in full once, not per event.
         */
        static DeclaredValues of(byte[] json, EventDecoder asking) {
            LastParse last = LAST.get();
            if (last.json != json) {
                return null;
            }
            if (last.schema != asking.schema && last.schema != asking.equalSchema) {
                if (!last.schema.equals(asking.schema)) {
                    return null;
                }
                asking.equalSchema = last.schema;
            }
            DeclaredValues values = last.values;
            last.clear(); // used once: the next use of these bytes parses again
            return values;
        }

        private void clear() {
            json = null;
            schema = null;
            values = null;
        }
    }

    private static final class DeclaredValues {
        private final java.util.Map<String, Integer> slots = new java.util.HashMap<>();
        private final JsonNode[] values;
        private long time;
        private boolean timeKnown;

        DeclaredValues(EventSchema schema) {
            List<String> names = new java.util.ArrayList<>(List.of(schema.idField(), schema.entityField(), schema.timeField()));
            names.addAll(schema.numericFields());
            names.addAll(schema.categoricalFields());
            schema.labelField().ifPresent(names::add);
            for (String name : names) {
                slots.putIfAbsent(name, slots.size());
            }
            values = new JsonNode[slots.size()];
        }

        DeclaredValues cleared() {
            java.util.Arrays.fill(values, null);
            timeKnown = false;
            return this;
        }

        int slotOf(String name) {
            Integer slot = slots.get(name);
            return slot == null ? -1 : slot;
        }

        void set(int slot, JsonNode value) {
            values[slot] = value;
        }

        /** The field's value, or null when the event does not have it. */
        JsonNode get(String field) {
            Integer slot = slots.get(field);
            return slot == null ? null : values[slot];
        }
    }

    private static String identifier(DeclaredValues root, String field) throws InvalidEventException {
        JsonNode node = required(root, field);
        if (node.isTextual()) {
            if (node.textValue().isEmpty()) {
                throw new InvalidEventException(InvalidEventException.MISSING_FIELD, field, "'" + field + "' is empty");
            }
            return checkedText(field, node.textValue(), MAX_IDENTIFIER_CHARS);
        }
        if (node.isIntegralNumber()) {
            return node.asText();
        }
        throw wrongType(field, "a string or an integer", node);
    }

    /** The event time, worked out once per parse: the source's timestamp assigner asks first, the decoder that takes the parse over next. */
    private long time(DeclaredValues root) throws InvalidEventException {
        if (root.timeKnown) {
            return root.time;
        }
        root.time = parseTime(root);
        root.timeKnown = true;
        return root.time;
    }

    private long parseTime(DeclaredValues root) throws InvalidEventException {
        String field = schema.timeField();
        JsonNode node = required(root, field);
        if (node.isNumber() && !Double.isFinite(node.doubleValue())) {
            throw new InvalidEventException(InvalidEventException.NON_FINITE, field, "'" + field + "' is not finite");
        }
        if (!node.isNumber() && !node.isTextual()) {
            throw wrongType(field, "a time", node);
        }
        long time;
        try {
            // A number's text is never read (only a string's is): no formatting of it on every event.
            time = schema.timeFormat().toEpochMillis(node.isNumber() ? null : node.asText(), node.doubleValue(), node.isNumber());
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException(
                    InvalidEventException.BAD_TIME, field, "'" + field + "' (" + schema.timeFormat() + "): " + e.getMessage());
        }
        // One event from the far future would move event time past everything else and make every later event late.
        if (time > System.currentTimeMillis() + MAX_FUTURE_MILLIS) {
            throw new InvalidEventException(InvalidEventException.TIME_IN_FUTURE, field, "'" + field + "' is "
                    + java.time.Instant.ofEpochMilli(time) + ", more than a day ahead of this machine's clock");
        }
        return time;
    }

    private double number(DeclaredValues root, String field) throws InvalidEventException {
        JsonNode node = optionalOrRequired(root, field);
        if (node == null) {
            return Double.NaN;
        }
        if (!node.isNumber()) {
            throw wrongType(field, "a number", node);
        }
        double value = node.doubleValue();
        if (!Double.isFinite(value)) {
            throw new InvalidEventException(InvalidEventException.NON_FINITE, field, "'" + field + "' is not finite: " + node.asText());
        }
        return value;
    }

    private String category(DeclaredValues root, String field) throws InvalidEventException {
        JsonNode node = optionalOrRequired(root, field);
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            return checkedText(field, node.textValue(), MAX_CATEGORY_CHARS);
        }
        if (node.isIntegralNumber() || node.isBoolean()) {
            return node.asText();
        }
        throw wrongType(field, "a string", node);
    }

    /**
     * Ids and entities become state keys and Kafka keys, categories are hashed and counted: a megabyte
     * of text or a half surrogate pair (which no UTF-8 encoder can write back) is refused here, once.
     */
    private static String checkedText(String field, String text, int maxChars) throws InvalidEventException {
        if (text.length() > maxChars) {
            throw new InvalidEventException(InvalidEventException.TOO_LONG, field,
                    "'" + field + "' has " + text.length() + " characters; at most " + maxChars + " are accepted");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidEventException(InvalidEventException.BAD_UNICODE, field,
                        "'" + field + "' holds an unpaired surrogate (\\u" + Integer.toHexString(c) + ") at character " + i);
            }
        }
        return text;
    }

    private static double label(DeclaredValues root, String field, EventSchema schema) throws InvalidEventException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return Double.NaN;
        }
        if (node.isBoolean()) {
            return node.booleanValue() ? 1.0 : 0.0;
        }
        if (node.isTextual() && !schema.labelValues().isEmpty()) {
            Double value = schema.labelValue(node.textValue());
            if (value == null) {
                throw new InvalidEventException(InvalidEventException.WRONG_TYPE, field,
                        "label '" + node.textValue() + "' is not one of " + schema.labelValues().keySet());
            }
            return value;
        }
        if (!node.isNumber()) {
            throw wrongType(field, "a number or a boolean", node);
        }
        double value = node.doubleValue();
        if (!Double.isFinite(value)) {
            throw new InvalidEventException(InvalidEventException.NON_FINITE, field, "label '" + field + "' is not finite");
        }
        return value;
    }

    private JsonNode optionalOrRequired(DeclaredValues root, String field) throws InvalidEventException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (schema.isOptional(field)) {
                return null;
            }
            throw new InvalidEventException(
                    InvalidEventException.MISSING_FIELD, field, "required field '" + field + "' is " + (node == null ? "absent" : "null"));
        }
        return node;
    }

    private static JsonNode required(DeclaredValues root, String field) throws InvalidEventException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new InvalidEventException(
                    InvalidEventException.MISSING_FIELD, field, "required field '" + field + "' is " + (node == null ? "absent" : "null"));
        }
        return node;
    }

    private static InvalidEventException wrongType(String field, String expected, JsonNode node) {
        return new InvalidEventException(
                InvalidEventException.WRONG_TYPE, field, "'" + field + "' must be " + expected + ", got " + kind(node));
    }

    private static String kind(JsonNode node) {
        JsonNodeType type = node.getNodeType();
        return type.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unparseable JSON";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
