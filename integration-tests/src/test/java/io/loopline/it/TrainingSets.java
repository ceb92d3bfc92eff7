package io.loopline.it;

import io.loopline.jobs.backfill.BackfillJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads a backfill's training set back: event id to feature values (label and leading columns dropped). */
final class TrainingSets {
    private TrainingSets() {}

    static Map<String, double[]> read(Path backfillOutput) {
        Map<String, double[]> rows = new HashMap<>();
        try (Stream<Path> parts = Files.list(backfillOutput.resolve(BackfillJob.TRAINING_DIR))) {
            for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("part")).toList()) {
                List<String> lines = Files.readAllLines(part);
                for (String line : lines.subList(1, lines.size())) {
                    String[] cells = line.split(",", -1);
                    double[] values = new double[cells.length - 4];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = Double.parseDouble(cells[i + 4]);
                    }
                    if (rows.put(cells[0], values) != null) {
                        throw new AssertionError("event " + cells[0] + " appears twice in the training set");
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    static List<String> header(Path backfillOutput) throws IOException {
        try (Stream<Path> parts = Files.list(backfillOutput.resolve(BackfillJob.TRAINING_DIR))) {
            Path first = parts.filter(p -> p.getFileName().toString().startsWith("part")).findFirst().orElseThrow();
            return List.of(Files.readAllLines(first).get(0).split(","));
        }
    }
}
