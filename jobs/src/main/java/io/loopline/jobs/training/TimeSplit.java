package io.loopline.jobs.training;

import io.loopline.io.TrainingSetReader;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.core.fs.Path;

/**
 * Which rows of a training set validate: the most recent {@code fraction} by event time (ties by
 * event id), never shuffled across the split. Found in two streaming passes that keep 8 bytes per row
 * (the timestamps) and the ids at the cutoff time, not the rows.
 */
final class TimeSplit {
    final List<String> columns;
    final int trainingRows;
    final int validationRows;
    final long firstTime;
    final long lastTime;
    private final long cutoff;
    private final Set<String> trainingAtCutoff;

    private TimeSplit(List<String> columns, int trainingRows, int validationRows, long firstTime, long lastTime, long cutoff,
            Set<String> trainingAtCutoff) {
        this.columns = columns;
        this.trainingRows = trainingRows;
        this.validationRows = validationRows;
        this.firstTime = firstTime;
        this.lastTime = lastTime;
        this.cutoff = cutoff;
        this.trainingAtCutoff = trainingAtCutoff;
    }

    static TimeSplit of(Path trainingDir, double validationFraction) throws IOException {
        try (SpilledRows rows = SpilledRows.of(trainingDir)) {
            return of(rows, validationFraction);
        }
    }

    static TimeSplit of(SpilledRows source, double validationFraction) throws IOException {
        long[][] times = {new long[1 << 16]};
        int[] n = {0};
        List<String> columns = source.columns;
        source.forEach(row -> {
            if (n[0] == times[0].length) {
                times[0] = Arrays.copyOf(times[0], times[0].length * 2);
            }
            times[0][n[0]++] = row.timestamp();
        });
        long[] sorted = Arrays.copyOf(times[0], n[0]);
        Arrays.sort(sorted);
        int validationRows = (int) Math.round(sorted.length * validationFraction);
        int trainingRows = sorted.length - validationRows;
        if (trainingRows < 1 || validationRows < 1) {
            throw new IllegalArgumentException("too few labelled rows to train and validate: " + sorted.length);
        }
        // The first validating row's time; of the rows at exactly that time, the first few by event id still train.
        long cutoff = sorted[trainingRows];
        int firstAtCutoff = trainingRows;
        while (firstAtCutoff > 0 && sorted[firstAtCutoff - 1] == cutoff) {
            firstAtCutoff--;
        }
        int trainingAtCutoffCount = trainingRows - firstAtCutoff;
        Set<String> trainingAtCutoff = new HashSet<>();
        if (trainingAtCutoffCount > 0) {
            List<String> ids = new java.util.ArrayList<>();
            source.forEach(row -> {
                if (row.timestamp() == cutoff) {
                    ids.add(row.eventId());
                }
            });
            ids.sort(null);
            trainingAtCutoff.addAll(ids.subList(0, trainingAtCutoffCount));
        }
        return new TimeSplit(columns, trainingRows, validationRows, sorted[0], sorted[sorted.length - 1], cutoff, trainingAtCutoff);
    }

    boolean validates(TrainingSetReader.Row row) {
        return row.timestamp() > cutoff || (row.timestamp() == cutoff && !trainingAtCutoff.contains(row.eventId()));
    }
}
