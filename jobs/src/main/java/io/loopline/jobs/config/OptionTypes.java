package io.loopline.jobs.config;

import java.lang.reflect.Method;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/** What kind of value an option takes, in words: for errors and the generated reference. */
final class OptionTypes {
    private OptionTypes() {}

    static Class<?> of(ConfigOption<?> option) {
        try {
            // Flink keeps the type package-private (its own doc generator reads it the same way).
            Method clazz = ConfigOption.class.getDeclaredMethod("getClazz");
            clazz.setAccessible(true);
            return (Class<?>) clazz.invoke(option);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return option.hasDefaultValue() ? option.defaultValue().getClass() : String.class;
        }
    }

    /** "an integer", "a duration (e.g. 500ms, 5s, 30min)", ... */
    static String describe(ConfigOption<?> option) {
        Class<?> type = of(option);
        if (type == Integer.class || type == Long.class) {
            return "an integer";
        } else if (type == Double.class || type == Float.class) {
            return "a number";
        } else if (type == Duration.class) {
            return "a duration (e.g. 500ms, 5s, 30min)";
        } else if (type == Boolean.class) {
            return "true or false";
        }
        return "text";
    }

    /** The type's name in the reference: Integer, Duration, ... */
    static String name(ConfigOption<?> option) {
        return of(option).getSimpleName();
    }
}
