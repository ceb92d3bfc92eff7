package io.loopline.operators.features.spec;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * How CSV input becomes events, for data sets without ids or timestamps (Elec2 has neither): the
 * data row number as an id field, a time field from the row number, and constant fields (e.g. a
 * single entity key). JSON input never uses these.
 *
 * @param rowIdField field to set to the 1-based data row number, or null
 * @param rowTimeField field to set to {@code rowTimeStart + (row - 1) * rowTimeStep} (epoch millis), or null
 * @param constants fields added to every row
 */
public record CsvOptions(String rowIdField, String rowTimeField, Instant rowTimeStart, Duration rowTimeStep, Map<String, String> constants)
        implements Serializable {
    public static final CsvOptions NONE = new CsvOptions(null, null, null, null, Map.of());

    public CsvOptions {
        constants = Map.copyOf(constants);
    }
}
