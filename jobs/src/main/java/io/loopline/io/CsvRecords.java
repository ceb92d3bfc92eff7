package io.loopline.io;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.Arrays;
import java.util.List;

/**
 * RFC 4180 records from a character stream, by Jackson's CSV parser: quoted cells may hold commas,
 * quotes ({@code ""}) and line breaks, so a record is not a line. Cells are trimmed; blank lines are
 * skipped. Each record knows the line it started on, for dead letters that say where a row came from.
 */
public final class CsvRecords implements AutoCloseable {
    private static final CsvMapper MAPPER = new CsvMapper();

    private final MappingIterator<String[]> records;
    private long line;

    public CsvRecords(Reader in) throws IOException {
        this.records = MAPPER.readerFor(String[].class)
                .with(CsvSchema.emptySchema())
                .with(CsvParser.Feature.WRAP_AS_ARRAY)
                .with(CsvParser.Feature.TRIM_SPACES)
                .with(CsvParser.Feature.SKIP_EMPTY_LINES)
                .readValues(in);
    }

    /**
     * The next record's cells, or null at the end.
     *
     * @throws IOException for input that is not CSV, e.g. a quote that is never closed
     */
    public List<String> next() throws IOException {
        try {
            if (!records.hasNextValue()) {
                return null;
            }
            String[] cells = records.nextValue();
            // The parser stands on the record's end: its first line is that one less the line breaks inside its cells.
            long breaks = 0;
            for (String cell : cells) {
                breaks += cell.chars().filter(c -> c == '\n').count();
            }
            line = records.getParser().currentTokenLocation().getLineNr() - breaks;
            return Arrays.asList(cells);
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The 1-based line the last record returned by {@link #next} started on. */
    public long line() {
        return line;
    }

    /** The cells of one line of CSV. */
    public static List<String> cellsOf(String line) {
        try (CsvRecords records = new CsvRecords(new StringReader(line))) {
            List<String> cells = records.next();
            return cells == null ? List.of("") : cells;
        } catch (IOException e) {
            throw new IllegalArgumentException("not a CSV row: " + e.getMessage(), e);
        }
    }

    /** Writes cells back as one CSV row (quoted where needed): the raw bytes of a row that cannot be used. */
    public static String rowOf(List<String> cells) {
        StringBuilder row = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            if (i > 0) {
                row.append(',');
            }
            if (cell.indexOf(',') >= 0 || cell.indexOf('"') >= 0 || cell.indexOf('\n') >= 0 || cell.indexOf('\r') >= 0) {
                row.append('"').append(cell.replace("\"", "\"\"")).append('"');
            } else {
                row.append(cell);
            }
        }
        return row.toString();
    }

    @Override
    public void close() throws IOException {
        records.close();
    }
}
