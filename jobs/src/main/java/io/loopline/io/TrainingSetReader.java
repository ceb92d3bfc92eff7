package io.loopline.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/** Reads a backfill's training set ({@code training/part-*.csv}) back, labelled rows only, in event-time order. */
public final class TrainingSetReader {
    /** One labelled row. */
    public record Row(String eventId, long timestamp, double label, double[] values) {}

    /** The rows and the feature columns named by the files' header. */
    public record TrainingSet(List<String> columns, List<Row> rows) {}

    private TrainingSetReader() {}

    /** Every labelled row, sorted by event time (and event id): for small sets and tests; training streams ({@link #forEach}). */
    public static TrainingSet read(Path trainingDir) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> columns = forEach(trainingDir, rows::add);
        rows.sort(Comparator.comparingLong(Row::timestamp).thenComparing(Row::eventId));
        return new TrainingSet(columns, rows);
    }

    /** What is done with each row as the files are read. */
    @FunctionalInterface
    public interface RowConsumer {
        void accept(Row row) throws IOException;
    }

    /**
     * Hands every labelled row to {@code consumer}, part file by part file, in file order, holding one
     * row at a time; returns the feature columns.
     */
    public static List<String> forEach(Path trainingDir, RowConsumer consumer) throws IOException {
        FileSystem fs = trainingDir.getFileSystem();
        if (!fs.exists(trainingDir)) {
            throw new IllegalArgumentException("--training: " + trainingDir + " does not exist (run `loopline backfill` first)");
        }
        List<String> columns = null;
        FileStatus[] parts = fs.listStatus(trainingDir);
        java.util.Arrays.sort(parts, Comparator.comparing(p -> p.getPath().getName())); // the same order on every pass
        for (FileStatus part : parts) {
            String name = part.getPath().getName();
            if (part.isDir() || !name.startsWith("part")) {
                continue;
            }
            try (CsvRecords in = new CsvRecords(new BufferedReader(new InputStreamReader(fs.open(part.getPath()), StandardCharsets.UTF_8)))) {
                List<String> header = in.next();
                if (header == null) {
                    continue;
                }
                List<String> partColumns = List.copyOf(header.subList(TrainingSetCsv.LEADING_COLUMNS.size(), header.size()));
                if (columns != null && !columns.equals(partColumns)) {
                    throw new IllegalArgumentException(part.getPath() + " has other columns than the other parts");
                }
                columns = partColumns;
                // Event ids and entities are the users': quoted, they may hold commas, quotes and line breaks.
                for (List<String> cells = in.next(); cells != null; cells = in.next()) {
                    if (cells.get(3).isEmpty()) {
                        continue; // unlabelled: nothing to learn from
                    }
                    double[] values = new double[cells.size() - 4];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = Double.parseDouble(cells.get(i + 4));
                    }
                    consumer.accept(new Row(cells.get(0), Long.parseLong(cells.get(2)), Double.parseDouble(cells.get(3)), values));
                }
            }
        }
        if (columns == null) {
            throw new IllegalArgumentException("--training: no part files in " + trainingDir);
        }
        return columns;
    }
}
