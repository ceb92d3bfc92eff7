package io.loopline.cli;

import io.loopline.io.CsvRecords;
import io.loopline.io.CsvRows;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One column of a CSV file, for the drift tools. With a column name the first line is the header;
 * without one the first column is read, and the first line is a header when its cell is not a number.
 * Empty cells are skipped, so indices count the values read.
 */
final class ColumnFile {
    private ColumnFile() {}

    static List<String> cells(String option, Path file, String column) {
        List<List<String>> rows = new ArrayList<>();
        try (CsvRecords records = new CsvRecords(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
            for (List<String> row = records.next(); row != null; row = records.next()) {
                rows.add(row);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": cannot read " + file + " (" + e.getMessage() + ")");
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(option + ": " + file + " is empty");
        }
        int index = 0;
        int first = 0;
        if (column != null) {
            List<String> header = rows.get(0);
            index = header.indexOf(column);
            if (index < 0) {
                throw new IllegalArgumentException("--column: " + file + " has no column '" + column + "'; its columns are " + header);
            }
            first = 1;
        } else if (rows.get(0).get(0).isEmpty() || CsvRows.number(rows.get(0).get(0)) == null) {
            first = 1;
        }
        List<String> cells = new ArrayList<>();
        for (List<String> row : rows.subList(first, rows.size())) {
            String cell = index < row.size() ? row.get(index) : "";
            if (!cell.isEmpty()) {
                cells.add(cell);
            }
        }
        if (cells.isEmpty()) {
            throw new IllegalArgumentException(option + ": " + file + " has no values" + (column == null ? "" : " in column '" + column + "'"));
        }
        return cells;
    }

    static double[] numbers(String option, Path file, String column) {
        List<String> cells = cells(option, file, column);
        double[] values = new double[cells.size()];
        for (int i = 0; i < values.length; i++) {
            Double v = CsvRows.number(cells.get(i));
            if (v == null) {
                throw new IllegalArgumentException(option + ": value " + (i + 1) + " of " + file + " is not a finite number: '" + cells.get(i) + "'");
            }
            values[i] = v;
        }
        return values;
    }
}
