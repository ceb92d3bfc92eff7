package io.loopline.io;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 records from a character stream, by Jackson's CSV parser: quoted cells may hold commas,
 * quotes ({@code ""}) and line breaks, so a record is not a line. Cells are trimmed; blank lines are
 * skipped. Each record knows the line it started on, for dead letters that say where a row came from.
 */
public final class CsvRecords implements AutoCloseable {
    // Parser features are read when a parser is created: set on the mapper, not on the parser.
    private static final CsvMapper MAPPER = CsvMapper.builder().enable(CsvParser.Feature.TRIM_SPACES).enable(CsvParser.Feature.SKIP_EMPTY_LINES).build();

    private final CsvParser parser;
    private int width = 16;
    private long line;

    public CsvRecords(Reader in) throws IOException {
        // The token stream, not data binding: a record is START_ARRAY, one VALUE_STRING per cell, END_ARRAY.
        this.parser = (CsvParser) MAPPER.getFactory().createParser(in);
        parser.setSchema(CsvSchema.emptySchema());
    }

    /**
     * The next record's cells, or null at the end.
     *
     * @throws IOException for input that is not CSV, e.g. a quote that is never closed
     */
    public List<String> next() throws IOException {
        try {
            while (true) {
                JsonToken token = parser.nextToken();
                while (token != null && token != JsonToken.START_ARRAY) {
                    token = parser.nextToken();
                }
                if (token == null) {
                    return null;
                }
                List<String> record = new ArrayList<>(width);
                long breaks = 0;
                for (token = parser.nextToken(); token != null && token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                    String cell = parser.getText();
                    for (int at = cell.indexOf('\n'); at >= 0; at = cell.indexOf('\n', at + 1)) {
                        breaks++;
                    }
                    record.add(cell);
                }
                if (record.size() == 1 && record.get(0).isEmpty()) {
                    continue; // a blank line
                }
                // The parser stands on the record's end: its first line is that one less the line breaks inside its cells.
                line = parser.currentTokenLocation().getLineNr() - breaks;
                width = Math.max(width, record.size());
                return record;
            }
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
        parser.close();
    }
}
