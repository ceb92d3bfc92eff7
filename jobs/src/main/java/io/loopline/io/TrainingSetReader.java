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

    public static TrainingSet read(Path trainingDir) throws IOException {
        FileSystem fs = trainingDir.getFileSystem();
        if (!fs.exists(trainingDir)) {
            throw new IllegalArgumentException("--training: " + trainingDir + " does not exist (run `loopline backfill` first)");
        }
        List<String> columns = null;
        List<Row> rows = new ArrayList<>();
        for (FileStatus part : fs.listStatus(trainingDir)) {
            String name = part.getPath().getName();
            if (part.isDir() || !name.startsWith("part")) {
                continue;
            }
            try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(part.getPath()), StandardCharsets.UTF_8))) {
                String[] header = in.readLine().split(",");
                List<String> partColumns = List.of(header).subList(TrainingSetCsv.LEADING_COLUMNS.size(), header.length);
                if (columns != null && !columns.equals(partColumns)) {
                    throw new IllegalArgumentException(part.getPath() + " has other columns than the other parts");
                }
                columns = partColumns;
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String[] cells = splitSimple(line);
                    if (cells[3].isEmpty()) {
                        continue; // unlabelled: nothing to learn from
                    }
                    double[] values = new double[cells.length - 4];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = Double.parseDouble(cells[i + 4]);
                    }
                    rows.add(new Row(cells[0], Long.parseLong(cells[2]), Double.parseDouble(cells[3]), values));
                }
            }
        }
        if (columns == null) {
            throw new IllegalArgumentException("--training: no part files in " + trainingDir);
        }
        rows.sort(Comparator.comparingLong(Row::timestamp).thenComparing(Row::eventId));
        return new TrainingSet(columns, rows);
    }

    /** Ids and entities are quoted only when they contain commas or quotes; numbers never are. */
    private static String[] splitSimple(String line) {
        if (line.indexOf('"') < 0) {
            return line.split(",", -1);
        }
        return CsvRows.split(line).toArray(new String[0]);
    }
}
