package io.loopline.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loopline.state.records.Event;
import io.loopline.state.schema.EventSchema;
import io.loopline.state.schema.TimeFormat;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventDecoderTest {
    private static final EventSchema SCHEMA = new EventSchema(
            "id", "user", "ts", TimeFormat.EPOCH_MILLIS,
            List.of("amount", "age"), List.of("country", "device"), Set.of("age", "device"), "label");

    private final EventDecoder decoder = new EventDecoder(SCHEMA);

    private Event decode(String json) throws InvalidEventException {
        return decoder.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void decodesAllDeclaredFieldsInSchemaOrder() throws Exception {
        Event e = decode("{\"id\":\"e1\",\"user\":\"u7\",\"ts\":1700000000123,\"amount\":12.5,\"age\":3,"
                + "\"country\":\"DE\",\"device\":\"web\",\"label\":1,\"extra\":[1,2]}");

        assertThat(e.id()).isEqualTo("e1");
        assertThat(e.entity()).isEqualTo("u7");
        assertThat(e.timestamp()).isEqualTo(1_700_000_000_123L);
        assertThat(e.numbers()).containsExactly(12.5, 3.0);
        assertThat(e.categories()).containsExactly("DE", "web");
        assertThat(e.label()).isEqualTo(1.0);
    }

    @Test
    void optionalFieldsMayBeAbsentOrNullAndAreThenMissing() throws Exception {
        Event e = decode("{\"id\":1,\"user\":2,\"ts\":5,\"amount\":1,\"age\":null,\"country\":\"FR\"}");

        assertThat(e.id()).isEqualTo("1");
        assertThat(e.entity()).isEqualTo("2");
        assertThat(e.numbers()[1]).isNaN();
        assertThat(e.categories()[1]).isNull();
        assertThat(e.hasLabel()).isFalse();
    }

    @Test
    void booleanLabelsAreZeroOrOne() throws Exception {
        assertThat(decode("{\"id\":\"a\",\"user\":\"u\",\"ts\":1,\"amount\":1,\"country\":\"x\",\"label\":true}").label()).isEqualTo(1.0);
        assertThat(decode("{\"id\":\"a\",\"user\":\"u\",\"ts\":1,\"amount\":1,\"country\":\"x\",\"label\":false}").label()).isEqualTo(0.0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "truncated JSON            | {\"id\":\"a\",\"user\":                                              | malformed-json |",
        "not JSON at all           | hello                                                             | malformed-json |",
        "JSON array, not an object | [1,2]                                                             | not-an-object  |",
        "id absent                 | {\"user\":\"u\",\"ts\":1,\"amount\":1,\"country\":\"x\"}               | missing-field  | id",
        "empty id                  | {\"id\":\"\",\"user\":\"u\",\"ts\":1,\"amount\":1,\"country\":\"x\"}     | missing-field  | id",
        "required number null      | {\"id\":\"a\",\"user\":\"u\",\"ts\":1,\"amount\":null,\"country\":\"x\"} | missing-field  | amount",
        "required category absent  | {\"id\":\"a\",\"user\":\"u\",\"ts\":1,\"amount\":1}                     | missing-field  | country",
        "number as string          | {\"id\":\"a\",\"user\":\"u\",\"ts\":1,\"amount\":\"9\",\"country\":\"x\"} | wrong-type     | amount",
        "entity is an object       | {\"id\":\"a\",\"user\":{},\"ts\":1,\"amount\":1,\"country\":\"x\"}      | wrong-type     | user",
        "category is an array      | {\"id\":\"a\",\"user\":\"u\",\"ts\":1,\"amount\":1,\"country\":[1]}     | wrong-type     | country",
        "number overflows double   | {\"id\":\"a\",\"user\":\"u\",\"ts\":1,\"amount\":1e400,\"country\":\"x\"} | non-finite     | amount",
        "time is text              | {\"id\":\"a\",\"user\":\"u\",\"ts\":\"soon\",\"amount\":1,\"country\":\"x\"} | bad-time     | ts",
        "entity of 300 characters  | {\"id\":\"a\",\"user\":\"uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu\",\"ts\":1,\"amount\":1,\"country\":\"x\"} | too-long | user",
        "lone surrogate in an id   | {\"id\":\"a\\ud800\",\"user\":\"u\",\"ts\":1,\"amount\":1,\"country\":\"x\"} | bad-unicode | id",
        "time in the year 3000     | {\"id\":\"a\",\"user\":\"u\",\"ts\":32503680000000,\"amount\":1,\"country\":\"x\"} | time-in-future | ts",
        "label is text             | {\"id\":\"a\",\"user\":\"u\",\"ts\":1,\"amount\":1,\"country\":\"x\",\"label\":\"yes\"} | wrong-type | label",
    })
    void rejectsWithReasonAndField(String caseName, String json, String reason, String field) {
        ThrowingCallable decoding = () -> decode(json);
        assertThatThrownBy(decoding)
                .isInstanceOfSatisfying(InvalidEventException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).isNotBlank();
                });
    }

    @Test
    void rejectsAnEmptyPayload() {
        assertThatThrownBy(() -> decoder.decode(new byte[0]))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.reason()).isEqualTo("empty-payload"));
        assertThatThrownBy(() -> decoder.decode(null))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.reason()).isEqualTo("empty-payload"));
    }

    @Test
    void readsIsoAndEpochSecondTimes() throws Exception {
        var iso = new EventDecoder(new EventSchema("id", "user", "ts", TimeFormat.ISO_8601, List.of(), List.of(), Set.of(), null));
        assertThat(iso.decode("{\"id\":\"a\",\"user\":\"u\",\"ts\":\"1970-01-01T00:00:01.5Z\"}".getBytes(StandardCharsets.UTF_8)).timestamp())
                .isEqualTo(1500L);
        var seconds = new EventDecoder(new EventSchema("id", "user", "ts", TimeFormat.EPOCH_SECONDS, List.of(), List.of(), Set.of(), null));
        assertThat(seconds.decode("{\"id\":\"a\",\"user\":\"u\",\"ts\":2.25}".getBytes(StandardCharsets.UTF_8)).timestamp())
                .isEqualTo(2250L);
    }

    /** The source reads each event's time for its watermark with a token scan: where it finds one, it is the decoder's. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "{\"id\":\"e1\",\"user\":\"u\",\"ts\":1700000000123,\"amount\":1,\"country\":\"DE\"}",
        "{\"ts\":1700000000123.6,\"id\":\"e1\",\"user\":\"u\",\"amount\":1,\"country\":\"DE\",\"x\":{\"ts\":5,\"y\":[1,{\"ts\":6}]}}",
        "{\"id\":\"e1\",\"user\":\"u\",\"ts\":1,\"ts\":2,\"amount\":1,\"country\":\"DE\"}",
        "{\"id\":\"e1\",\"user\":\"u\",\"ts\":1e400,\"amount\":1,\"country\":\"DE\"}",
        "{\"id\":\"e1\",\"user\":\"u\",\"ts\":\"1700000000123\",\"amount\":1,\"country\":\"DE\"}",
        "{\"id\":\"e1\",\"user\":\"u\",\"ts\":null,\"amount\":1,\"country\":\"DE\"}",
        "{\"id\":\"e1\",\"user\":\"u\",\"ts\":[1],\"amount\":1,\"country\":\"DE\"}",
        "{\"id\":\"e1\",\"user\":\"u\",\"ts\":true,\"amount\":1,\"country\":\"DE\"}",
        "{\"id\":\"e1\",\"user\":\"u\",\"ts\":99999999999999999,\"amount\":1,\"country\":\"DE\"}",
        "{\"id\":\"e1\",\"user\":\"u\",\"amount\":1,\"country\":\"DE\"}",
        "{\"id\":\"e1\",\"user\":\"u\",\"ts\":5,\"amount\":1,\"country\":\"DE\"",
        "{\"id\":\"e1\",\"user\":\"u\",\"ts\":5,\"amount\":1,\"country\":\"DE\",\"bad\":[1,}",
        "{\"id\":\"e1\",\"user\":\"u\",\"ts\":5,\"amount\":1,\"country\":\"DE\"} trailing",
        "[{\"ts\":5}]",
        "5",
        ""})
    void theSourcesTimeIsTheDecodersTime(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        long decoded;
        try {
            decoded = decoder.decode(bytes).timestamp();
        } catch (InvalidEventException e) {
            decoded = "ts".equals(e.field()) || e.field() == null ? Long.MIN_VALUE : timeOfAnOtherwiseBadEvent(bytes);
        }
        assertThat(decoder.timestampOf(bytes)).isEqualTo(decoded);
    }

    /** An event rejected for another field still has its time (it is dead-lettered after the source). */
    private long timeOfAnOtherwiseBadEvent(byte[] bytes) {
        throw new AssertionError("every case above is valid but for its time: " + new String(bytes, StandardCharsets.UTF_8));
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static String described(Event e) {
        return e.id() + "/" + e.entity() + "/" + e.timestamp() + "/" + java.util.Arrays.toString(e.numbers()) + "/"
                + java.util.Arrays.toString(e.categories());
    }

    /**
     * The decoder behind the source takes over the source's parse of the same bytes; any other bytes,
     * even after the source has parsed them, or a decoder of another schema, parse anew.
     */
    @Test
    void theDecoderTakesOverTheSourcesParseOnlyOfTheSameArrayAndSchema() throws Exception {
        var source = new EventDecoder(SCHEMA);
        byte[] a = bytes("{\"id\":\"a\",\"user\":\"u1\",\"ts\":1000,\"amount\":1.5,\"country\":\"DE\"}");
        byte[] b = bytes("{\"id\":\"b\",\"user\":\"u2\",\"ts\":2000,\"amount\":2.5,\"country\":\"FR\"}");
        String expectedA = described(new EventDecoder(SCHEMA).decode(a.clone()));
        String expectedB = described(new EventDecoder(SCHEMA).decode(b.clone()));

        assertThat(source.timestampOf(a)).isEqualTo(1000L);
        assertThat(described(decoder.decode(a))).as("the same array").isEqualTo(expectedA);

        assertThat(source.timestampOf(a)).isEqualTo(1000L);
        assertThat(described(decoder.decode(b))).as("another array after the source parsed a").isEqualTo(expectedB);

        assertThat(source.timestampOf(a)).isEqualTo(1000L);
        assertThat(source.timestampOf(b)).isEqualTo(2000L); // the source's values now hold b
        assertThat(described(decoder.decode(a))).as("a, parsed before b").isEqualTo(expectedA);

        var otherSchema = new EventDecoder(new EventSchema("id", "country", "ts", TimeFormat.EPOCH_MILLIS, List.of(), List.of(), Set.of(), null));
        assertThat(source.timestampOf(a)).isEqualTo(1000L);
        assertThat(otherSchema.decode(a).entity()).as("its own schema's entity field").isEqualTo("DE");
    }
}
