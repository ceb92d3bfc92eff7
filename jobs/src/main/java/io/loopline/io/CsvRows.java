package io.loopline.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loopline.operators.features.spec.CsvOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns CSV rows into the JSON objects Loopline decodes, so CSV and JSON input share one decoder
 * and one set of validation rules. Cells that parse as numbers become JSON numbers, empty cells are
 * left out (missing), anything else is a string; the spec's {@link CsvOptions} add row ids, row
 * times and constants.
 */
public final class CsvRows {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> header;
    private final CsvOptions options;

    public CsvRows(String headerLine, CsvOptions options) {
        this(split(headerLine), options);
    }

    public CsvRows(List<String> header, CsvOptions options) {
        this.header = List.copyOf(header);
        this.options = options;
    }

    public List<String> header() {
        return header;
    }

    /**
     * @param dataRow 1-based number of the data row (the header is row 0)
     * @return the JSON bytes, or null when the row's cell count does not match the header
     */
    public byte[] toJson(String line, long dataRow) {
        return toJson(split(line), dataRow);
    }

    /**
     * @param dataRow 1-based number of the data row (the header is row 0)
     * @return the JSON bytes, or null when the row's cell count does not match the header
     */
    public byte[] toJson(List<String> cells, long dataRow) {
        if (cells.size() != header.size()) {
            return null;
        }
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            if (cell.isEmpty()) {
                continue;
            }
            Long integer = integer(cell);
            Double number = integer == null ? number(cell) : null;
            if (integer != null) {
                node.put(header.get(i), integer);
            } else if (number != null) {
                node.put(header.get(i), number);
            } else {
                node.put(header.get(i), cell);
            }
        }
        if (options.rowIdField() != null) {
            node.put(options.rowIdField(), dataRow);
        }
        if (options.rowTimeField() != null) {
            node.put(options.rowTimeField(), options.rowTimeStart().toEpochMilli() + (dataRow - 1) * options.rowTimeStep().toMillis());
        }
        options.constants().forEach(node::put);
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Whole numbers stay integers, so a CSV category such as a weekday number reads as "2", not "2.0". */
    private static Long integer(String cell) {
        int start = cell.charAt(0) == '-' || cell.charAt(0) == '+' ? 1 : 0;
        if (start == cell.length() || cell.length() > 18) {
            return null;
        }
        for (int i = start; i < cell.length(); i++) {
            if (!Character.isDigit(cell.charAt(i))) {
                return null;
            }
        }
        return Long.parseLong(cell);
    }

    /** The cell as a finite double, or null. */
    public static Double number(String cell) {
        char c = cell.charAt(0);
        if (!(Character.isDigit(c) || c == '-' || c == '+' || c == '.')) {
            return null;
        }
        try {
            double value = Double.parseDouble(cell);
            return Double.isFinite(value) ? value : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The cells of one line of CSV (RFC 4180, by {@link CsvRecords}); a record may span lines, so read files with {@link CsvRecords}. */
    public static List<String> split(String line) {
        return CsvRecords.cellsOf(line);
    }
}
