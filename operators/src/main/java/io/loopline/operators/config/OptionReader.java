package io.loopline.operators.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Reads options and checks their bounds, so that every invalid value fails with an
 * {@link InvalidOptionException} naming its own key, before any settings record is built.
 */
public final class OptionReader {
    private final ReadableConfig config;

    public OptionReader(ReadableConfig config) {
        this.config = config;
    }

    public <T> T get(ConfigOption<T> option) {
        return config.get(option);
    }

    public int atLeast(ConfigOption<Integer> option, int min) {
        int value = config.get(option);
        if (value < min) {
            throw invalid(option, "must be at least " + min + ", got " + value);
        }
        return value;
    }

    public long atLeast(ConfigOption<Long> option, long min) {
        long value = config.get(option);
        if (value < min) {
            throw invalid(option, "must be at least " + min + ", got " + value);
        }
        return value;
    }

    public int between(ConfigOption<Integer> option, int min, int max) {
        int value = atLeast(option, min);
        if (value > max) {
            throw invalid(option, "must be at most " + max + ", got " + value);
        }
        return value;
    }

    public double atLeast(ConfigOption<Double> option, double min) {
        double value = number(option);
        if (value < min) {
            throw invalid(option, "must be at least " + min + ", got " + value);
        }
        return value;
    }

    /** A finite number. */
    public double number(ConfigOption<Double> option) {
        double value = config.get(option);
        if (!Double.isFinite(value)) {
            throw invalid(option, "must be a number, got " + value);
        }
        return value;
    }

    /** Strictly between {@code low} and {@code high}. */
    public double inside(ConfigOption<Double> option, double low, double high) {
        double value = number(option);
        if (!(value > low && value < high)) {
            throw invalid(option, "must be above " + low + " and below " + high + ", got " + value);
        }
        return value;
    }

    /** A number of at least {@code min}, or {@code off} (NaN). */
    public double offOrAtLeast(ConfigOption<String> option, double min) {
        String value = config.get(option).trim();
        if (value.equalsIgnoreCase("off")) {
            return Double.NaN;
        }
        double number;
        try {
            number = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw invalid(option, "must be a number or off, got '" + value + "'");
        }
        if (!(number >= min)) {
            throw invalid(option, "must be at least " + min + " (or off), got " + value);
        }
        return number;
    }

    public Duration nonNegative(ConfigOption<Duration> option) {
        Duration value = config.get(option);
        if (value.isNegative()) {
            throw invalid(option, "must not be negative, got " + value);
        }
        return value;
    }

    public Duration positive(ConfigOption<Duration> option) {
        Duration value = nonNegative(option);
        if (value.isZero()) {
            throw invalid(option, "must be positive, got 0");
        }
        return value;
    }

    /** One of {@code choices}; {@code none} (if allowed) reads as null. */
    public String oneOf(ConfigOption<String> option, Set<String> choices, boolean noneAllowed) {
        String value = config.get(option).trim().toLowerCase(Locale.ROOT);
        if (noneAllowed && value.equals("none")) {
            return null;
        }
        if (!choices.contains(value)) {
            throw invalid(option, "unknown value '" + value + "' (known: " + String.join(", ", choices) + (noneAllowed ? ", none" : "") + ")");
        }
        return value;
    }

    /** A comma-separated subset of {@code choices}; {@code none} or nothing for the empty set. */
    public Set<String> subsetOf(ConfigOption<String> option, Set<String> choices) {
        Set<String> picked = new LinkedHashSet<>();
        for (String part : config.get(option).split(",")) {
            String value = part.trim().toLowerCase(Locale.ROOT);
            if (value.isEmpty() || value.equals("none")) {
                continue;
            }
            if (!choices.contains(value)) {
                throw invalid(option, "unknown value '" + value + "' (known: " + String.join(", ", choices) + ", none)");
            }
            picked.add(value);
        }
        return picked;
    }

    /** Comma-separated layer widths, each at least 1; {@code none} for no hidden layer. */
    public List<Integer> layerWidths(ConfigOption<String> option) {
        List<Integer> widths = new ArrayList<>();
        for (String part : config.get(option).split(",")) {
            String width = part.trim();
            if (width.isEmpty() || width.equals("none")) {
                continue;
            }
            int value;
            try {
                value = Integer.parseInt(width);
            } catch (NumberFormatException e) {
                throw invalid(option, "'" + width + "' is not a layer width");
            }
            if (value < 1) {
                throw invalid(option, "layer widths must be at least 1, got " + value);
            }
            widths.add(value);
        }
        return widths;
    }

    public static InvalidOptionException invalid(ConfigOption<?> option, String problem) {
        return new InvalidOptionException(option.key(), problem);
    }
}
