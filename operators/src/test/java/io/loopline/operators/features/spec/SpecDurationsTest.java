package io.loopline.operators.features.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.Test;

/** A spec's durations read exactly as Flink's configuration reads them, without Flink. */
class SpecDurationsTest {
    @Test
    void readsWhatFlinkReads() {
        for (String text : List.of("0", "5", "500ms", "5s", "5 s", " 10min ", "10m", "1h", "7d", "2 days", "3 HOURS", "1µs", "5ns", "1 sec",
                "30 seconds", "42 millis", "1 minute", "9223372036854775807ns")) {
            assertThat(SpecDurations.parse(text)).as(text).isEqualTo(TimeUtils.parseDuration(text));
        }
    }

    @Test
    void refusesWhatFlinkRefuses() {
        for (String text : List.of("", "s", "5x", "-5s", "5.5s", "five", "5 s s")) {
            assertThatThrownBy(() -> TimeUtils.parseDuration(text)).as("Flink: " + text).isInstanceOf(RuntimeException.class);
            assertThatThrownBy(() -> SpecDurations.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
