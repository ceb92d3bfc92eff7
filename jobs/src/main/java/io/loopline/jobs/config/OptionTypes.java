package io.loopline.jobs.config;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/** What kind of value an option takes, in words: for errors and the generated reference. */
public final class OptionTypes {
    private OptionTypes() {}

    public static Class<?> of(ConfigOption<?> option) {
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
    public static String describe(ConfigOption<?> option) {
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
    public static String name(ConfigOption<?> option) {
        return of(option).getSimpleName();
    }

    /** The options declared in {@code holder}'s public static fields, by key. */
    public static List<ConfigOption<?>> declaredIn(Class<?> holder) {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field field : holder.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && ConfigOption.class.isAssignableFrom(field.getType())) {
                try {
                    options.add((ConfigOption<?>) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        options.sort(Comparator.comparing(ConfigOption::key));
        return options;
    }
}
