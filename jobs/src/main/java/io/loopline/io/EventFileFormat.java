package io.loopline.io;

import io.loopline.operators.features.spec.CsvOptions;
import io.loopline.state.records.RawEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads event files (JSON lines or CSV, on any Flink FileSystem) into {@link RawEvent}s that name
 * their file and line, so a bad line lands in dead-letters with where it came from. Files are not
 * split: line numbers and the CSV header need the whole file.
 */
public final class EventFileFormat implements BulkFormat<RawEvent, FileSourceSplit> {
    private static final long serialVersionUID = 1L;
    private static final int BATCH = 1024;

    private final InputFormat format;
    private final CsvOptions csv;

    public EventFileFormat(InputFormat format, CsvOptions csv) {
        this.format = format;
        this.csv = csv;
    }

    @Override
    public Reader<RawEvent> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return new LineReader(split, 0);
    }

    @Override
    public Reader<RawEvent> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        long skip = split.getReaderPosition().map(CheckpointedPosition::getRecordsAfterOffset).orElse(0L);
        return new LineReader(split, skip);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<RawEvent> getProducedType() {
        return RawEvent.TYPE_INFO;
    }

    private final class LineReader implements Reader<RawEvent> {
        private final FSDataInputStream stream;
        private final BufferedReader lines;
        private final String fileName;
        private CsvRows csvRows;
        private long lineNumber;
        private long emitted;

        LineReader(FileSourceSplit split, long alreadyEmitted) throws IOException {
            this.stream = split.path().getFileSystem().open(split.path());
            this.lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8), 1 << 16);
            this.fileName = split.path().getName();
            for (long i = 0; i < alreadyEmitted; i++) {
                if (next() == null) {
                    break;
                }
            }
        }

        private RawEvent next() throws IOException {
            while (true) {
                String line = lines.readLine();
                if (line == null) {
                    return null;
                }
                lineNumber++;
                if (format == InputFormat.CSV && csvRows == null) {
                    csvRows = new CsvRows(line, csv);
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                emitted++;
                String origin = fileName + ":" + lineNumber;
                byte[] raw = line.getBytes(StandardCharsets.UTF_8);
                if (format == InputFormat.JSONL) {
                    return new RawEvent(null, raw, origin, -1);
                }
                byte[] json = csvRows.toJson(line, lineNumber - 1);
                // A row whose cells do not match the header is passed on as is: the decoder rejects it
                // as malformed JSON, so it reaches dead-letters with its raw bytes.
                return new RawEvent(null, json != null ? json : raw, origin, -1);
            }
        }

        @Override
        public RecordIterator<RawEvent> readBatch() throws IOException {
            RawEvent[] batch = new RawEvent[BATCH];
            long skipBefore = emitted;
            int n = 0;
            while (n < BATCH) {
                RawEvent event = next();
                if (event == null) {
                    break;
                }
                batch[n++] = event;
            }
            if (n == 0) {
                return null;
            }
            ArrayResultIterator<RawEvent> iterator = new ArrayResultIterator<>();
            iterator.set(batch, n, CheckpointedPosition.NO_OFFSET, skipBefore);
            return iterator;
        }

        @Override
        public void close() throws IOException {
            lines.close();
            stream.close();
        }
    }
}
