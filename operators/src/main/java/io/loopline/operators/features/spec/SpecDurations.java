package io.loopline.operators.features.spec;

import java.math.BigInteger;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a duration the way Flink's configuration does ({@code 500ms}, {@code 5 s}, {@code 10min},
 * {@code 1h}, {@code 7d}; a bare number is milliseconds), so a spec reads the same with or without
 * Flink on the classpath.
 */
public final class SpecDurations {
    private static final Map<String, ChronoUnit> UNITS = units();

    private SpecDurations() {}

    /** @throws IllegalArgumentException when the text is not a whole number with an optional known unit */
    public static Duration parse(String text) {
        String trimmed = text.trim();
        int digits = 0;
        while (digits < trimmed.length() && trimmed.charAt(digits) >= '0' && trimmed.charAt(digits) <= '9') {
            digits++;
        }
        if (digits == 0) {
            throw new IllegalArgumentException("'" + text + "' does not start with a whole number");
        }
        String label = trimmed.substring(digits).trim().toLowerCase(Locale.US);
        ChronoUnit unit = label.isEmpty() ? ChronoUnit.MILLIS : UNITS.get(label);
        if (unit == null) {
            throw new IllegalArgumentException("'" + text + "' has an unknown unit '" + label + "'");
        }
        try {
            return Duration.of(new BigInteger(trimmed.substring(0, digits)).longValueExact(), unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration");
        }
    }

    private static Map<String, ChronoUnit> units() {
        Map<String, ChronoUnit> units = new HashMap<>();
        put(units, ChronoUnit.DAYS, "d", "day", "days");
        put(units, ChronoUnit.HOURS, "h", "hour", "hours");
        put(units, ChronoUnit.MINUTES, "min", "m", "minute", "minutes");
        put(units, ChronoUnit.SECONDS, "s", "sec", "secs", "second", "seconds");
        put(units, ChronoUnit.MILLIS, "ms", "milli", "millis", "millisecond", "milliseconds");
        put(units, ChronoUnit.MICROS, "µs", "micro", "micros", "microsecond", "microseconds");
        put(units, ChronoUnit.NANOS, "ns", "nano", "nanos", "nanosecond", "nanoseconds");
        return Map.copyOf(units);
    }

    private static void put(Map<String, ChronoUnit> units, ChronoUnit unit, String... labels) {
        for (String label : labels) {
            units.put(label, unit);
        }
    }
}
