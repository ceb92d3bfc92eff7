package io.loopline.state.schema;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which JSON fields of an event carry its id, entity, time, label and values. The decoder uses it
 * to turn bytes into an {@link io.loopline.state.records.Event}; the order of {@link
 * #numericFields()} and {@link #categoricalFields()} is the order of the event's value arrays.
 *
 * <p>Serializable only because Flink ships function configuration with Java serialization; it is
 * never part of state.
 */
public final class EventSchema implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String idField;
    private final String entityField;
    private final String timeField;
    private final TimeFormat timeFormat;
    private final List<String> numericFields;
    private final List<String> categoricalFields;
    private final Set<String> optionalFields;
    private final String labelField;
    private final Map<String, Double> labelValues;

    public EventSchema(
            String idField,
            String entityField,
            String timeField,
            TimeFormat timeFormat,
            List<String> numericFields,
            List<String> categoricalFields,
            Set<String> optionalFields,
            String labelField) {
        this(idField, entityField, timeField, timeFormat, numericFields, categoricalFields, optionalFields, labelField, Map.of());
    }

    /**
     * @param labelValues text labels and the numbers they stand for (e.g. UP = 1, DOWN = 0); empty
     *     when labels are numbers or booleans
     */
    public EventSchema(
            String idField,
            String entityField,
            String timeField,
            TimeFormat timeFormat,
            List<String> numericFields,
            List<String> categoricalFields,
            Set<String> optionalFields,
            String labelField,
            Map<String, Double> labelValues) {
        this.idField = Objects.requireNonNull(idField, "idField");
        this.entityField = Objects.requireNonNull(entityField, "entityField");
        this.timeField = Objects.requireNonNull(timeField, "timeField");
        this.timeFormat = Objects.requireNonNull(timeFormat, "timeFormat");
        this.numericFields = List.copyOf(numericFields);
        this.categoricalFields = List.copyOf(categoricalFields);
        this.optionalFields = Set.copyOf(optionalFields);
        this.labelField = labelField;
        this.labelValues = Map.copyOf(labelValues);
        Set<String> seen = new HashSet<>();
        for (String f : allFields()) {
            if (!seen.add(f)) {
                throw new IllegalArgumentException("field '" + f + "' is declared twice");
            }
        }
        for (String f : optionalFields) {
            if (!numericFields.contains(f) && !categoricalFields.contains(f)) {
                throw new IllegalArgumentException(
                        "optional field '" + f + "' is not a declared numeric or categorical field");
            }
        }
    }

    private List<String> allFields() {
        var all = new java.util.ArrayList<String>();
        all.add(idField);
        all.add(entityField);
        all.add(timeField);
        all.addAll(numericFields);
        all.addAll(categoricalFields);
        if (labelField != null) {
            all.add(labelField);
        }
        return all;
    }

    public String idField() {
        return idField;
    }

    public String entityField() {
        return entityField;
    }

    public String timeField() {
        return timeField;
    }

    public TimeFormat timeFormat() {
        return timeFormat;
    }

    public List<String> numericFields() {
        return numericFields;
    }

    public List<String> categoricalFields() {
        return categoricalFields;
    }

    /** A field that may be absent or null; a missing value is then kept as missing (NaN / null). */
    public boolean isOptional(String field) {
        return optionalFields.contains(field);
    }

    public Set<String> optionalFields() {
        return optionalFields;
    }

    public Optional<String> labelField() {
        return Optional.ofNullable(labelField);
    }

    /** The number a text label stands for, or null if the text is not a declared label value. */
    public Double labelValue(String text) {
        return labelValues.get(text);
    }

    public Map<String, Double> labelValues() {
        return labelValues;
    }

    public int numericIndex(String field) {
        return indexOf(numericFields, field);
    }

    public int categoricalIndex(String field) {
        return indexOf(categoricalFields, field);
    }

    private static int indexOf(List<String> fields, String field) {
        int i = fields.indexOf(field);
        if (i < 0) {
            throw new IllegalArgumentException("no such field: '" + field + "'");
        }
        return i;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventSchema s
                && idField.equals(s.idField)
                && entityField.equals(s.entityField)
                && timeField.equals(s.timeField)
                && timeFormat == s.timeFormat
                && numericFields.equals(s.numericFields)
                && categoricalFields.equals(s.categoricalFields)
                && optionalFields.equals(s.optionalFields)
                && Objects.equals(labelField, s.labelField)
                && labelValues.equals(s.labelValues);
    }

    @Override
    public int hashCode() {
        return Objects.hash(idField, entityField, timeField, numericFields, categoricalFields);
    }

    @Override
    public String toString() {
        return "EventSchema[id=" + idField + ", entity=" + entityField + ", time=" + timeField + " ("
                + timeFormat + "), numeric=" + numericFields + ", categorical=" + categoricalFields
                + ", optional=" + optionalFields + ", label=" + labelField + "]";
    }
}
