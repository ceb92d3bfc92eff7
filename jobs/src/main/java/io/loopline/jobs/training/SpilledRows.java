package io.loopline.jobs.training;

import io.loopline.io.TrainingSetReader;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

/**
 * A training set's labelled rows parsed once from its CSV part files and spilled to a local binary
 * file, so every later pass (the split, each epoch, scoring) streams fixed-width doubles instead of
 * parsing text again, and memory holds one row at a time. The file is deleted on close.
 */
final class SpilledRows implements AutoCloseable {
    final List<String> columns;
    final long rows;
    private final java.nio.file.Path file;

    private SpilledRows(List<String> columns, long rows, java.nio.file.Path file) {
        this.columns = columns;
        this.rows = rows;
        this.file = file;
    }

    static SpilledRows of(org.apache.flink.core.fs.Path trainingDir) throws IOException {
        java.nio.file.Path file = Files.createTempFile("loopline-training-", ".rows");
        long[] count = {0};
        List<String> columns;
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            columns = TrainingSetReader.forEach(trainingDir, row -> {
                out.writeUTF(row.eventId());
                out.writeLong(row.timestamp());
                out.writeDouble(row.label());
                for (double v : row.values()) {
                    out.writeDouble(v);
                }
                count[0]++;
            });
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return new SpilledRows(columns, count[0], file);
    }

    /** Every row, in the order of the part files. */
    void forEach(TrainingSetReader.RowConsumer consumer) throws IOException {
        int width = columns.size();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            for (long i = 0; i < rows; i++) {
                String id = in.readUTF();
                long time = in.readLong();
                double label = in.readDouble();
                double[] values = new double[width];
                for (int c = 0; c < width; c++) {
                    values[c] = in.readDouble();
                }
                consumer.accept(new TrainingSetReader.Row(id, time, label, values));
            }
        } catch (EOFException e) {
            throw new IOException(file + " ended early: the spilled training set was changed while training", e);
        }
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
    }
}
