package io.loopline.cli;

import java.time.Duration;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;

/** Reads durations the way Flink's config does: {@code 500ms}, {@code 2s}, {@code 5min}, {@code 1h}. */
final class DurationConverter {
    private DurationConverter() {}

    static Duration convert(String text) {
        try {
            return TimeUtils.parseDuration(text);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new CommandLine.TypeConversionException(
                    "'" + text + "' is not a duration (examples: 500ms, 2s, 5min, 1h)");
        }
    }
}
