package io.loopline.operators.learning;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.state.records.RawEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonRecordTimeTest {
    private final JsonRecordTime time = new JsonRecordTime("timestamp");

    private long of(String json) {
        return time.extractTimestamp(new RawEvent(null, json == null ? null : json.getBytes(StandardCharsets.UTF_8), "t-0@0", 42L), 42L);
    }

    @Test
    void readsTheTopLevelFieldWhereverItIs() {
        assertThat(of("{\"timestamp\":1700000000123,\"eventId\":\"a\"}")).isEqualTo(1_700_000_000_123L);
        assertThat(of("{\"eventId\":\"a\",\"values\":{\"timestamp\":5},\"list\":[1,{\"timestamp\":6}],\"timestamp\":7}")).isEqualTo(7L);
        assertThat(of("{\"timestamp\":1.7e12}")).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void aRecordWithoutAReadableTimeMovesNoWatermark() {
        assertThat(of(null)).isEqualTo(Long.MIN_VALUE);
        assertThat(of("")).isEqualTo(Long.MIN_VALUE);
        assertThat(of("not json")).isEqualTo(Long.MIN_VALUE);
        assertThat(of("[1,2]")).isEqualTo(Long.MIN_VALUE);
        assertThat(of("{\"eventId\":\"a\"}")).isEqualTo(Long.MIN_VALUE);
        assertThat(of("{\"timestamp\":\"yesterday\"}")).isEqualTo(Long.MIN_VALUE);
        assertThat(of("{\"timestamp\":123456789012345678901234567890}")).isEqualTo(Long.MIN_VALUE);
        assertThat(of("{\"values\":{\"timestamp\":5}}")).as("a nested field is not the record's time").isEqualTo(Long.MIN_VALUE);
        assertThat(of("{\"timestamp\":12")).as("truncated after the field").isEqualTo(12L);
    }
}
