package io.loopline.io;

import io.loopline.state.records.FeatureVector;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;

/**
 * Training-set part files: CSV with a header in every part ({@code event_id, entity, timestamp,
 * label, <feature columns>}). Numbers are written with {@link Double#toString}, which reads back
 * to the identical double; an absent label is an empty cell.
 */
public final class TrainingSetCsv implements BulkWriter.Factory<FeatureVector> {
    private static final long serialVersionUID = 1L;

    public static final List<String> LEADING_COLUMNS = List.of("event_id", "entity", "timestamp", "label");

    private final ArrayList<String> columns;

    public TrainingSetCsv(List<String> featureColumns) {
        this.columns = new ArrayList<>(featureColumns);
    }

    @Override
    public BulkWriter<FeatureVector> create(FSDataOutputStream out) throws IOException {
        Writer writer = new OutputStreamWriter(new NonClosingStream(out), StandardCharsets.UTF_8);
        List<String> header = new ArrayList<>(LEADING_COLUMNS);
        header.addAll(columns);
        writer.write(String.join(",", header.stream().map(TrainingSetCsv::quote).toList()));
        writer.write('\n');
        return new BulkWriter<>() {
            private final StringBuilder line = new StringBuilder(256);

            @Override
            public void addElement(FeatureVector v) throws IOException {
                line.setLength(0);
                line.append(quote(v.eventId())).append(',').append(quote(v.entity())).append(',').append(v.timestamp()).append(',');
                if (v.hasLabel()) {
                    line.append(v.label());
                }
                for (double x : v.values()) {
                    line.append(',').append(x);
                }
                line.append('\n');
                writer.write(line.toString());
            }

            @Override
            public void flush() throws IOException {
                writer.flush();
            }

            @Override
            public void finish() throws IOException {
                writer.flush();
            }
        };
    }

    static String quote(String value) {
        if (value == null) {
            return "";
        }
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    /** The FileSink owns the stream's lifecycle; the writer must not close it. */
    private static final class NonClosingStream extends OutputStream {
        private final OutputStream out;

        NonClosingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() {}
    }
}
