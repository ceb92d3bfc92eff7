package io.loopline.io;

import io.loopline.state.serialization.RawEventSerializer;
import io.loopline.operators.features.spec.CsvOptions;
import io.loopline.state.records.RawEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads event files (JSON lines or CSV, on any Flink FileSystem) into {@link RawEvent}s that name
 * their file and line, so a bad line lands in dead-letters with where it came from. CSV goes through
 * a CSV parser ({@link CsvRecords}): a quoted cell may hold commas and line breaks. Files are not
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
        return RawEventSerializer.TYPE_INFO;
    }

    private final class LineReader implements Reader<RawEvent> {
        private final FSDataInputStream stream;
        private final BufferedReader lines;
        private final String fileName;
        private final CsvRecords csvRecords;
        private CsvRows csvRows;
        private long lineNumber;
        private long dataRows;
        private boolean unreadable;
        private long emitted;

        LineReader(FileSourceSplit split, long alreadyEmitted) throws IOException {
            this.stream = split.path().getFileSystem().open(split.path());
            this.lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8), 1 << 16);
            this.fileName = split.path().getName();
            this.csvRecords = format == InputFormat.CSV ? new CsvRecords(lines) : null;
            for (long i = 0; i < alreadyEmitted; i++) {
                if (next() == null) {
                    break;
                }
            }
        }

        private RawEvent next() throws IOException {
            if (csvRecords != null) {
                return nextCsv();
            }
            while (true) {
                String line = lines.readLine();
                if (line == null) {
                    return null;
                }
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                emitted++;
                return new RawEvent(null, line.getBytes(StandardCharsets.UTF_8), fileName + ":" + lineNumber, -1);
            }
        }

        private RawEvent nextCsv() throws IOException {
            while (!unreadable) {
                List<String> cells;
                try {
                    cells = csvRecords.next();
                } catch (IOException e) {
                    // Not CSV from here on (a quote never closed swallows the rest): one dead letter says where, and why.
                    unreadable = true;
                    emitted++;
                    String origin = fileName + ":" + (csvRecords.line() + 1);
                    return new RawEvent(null, ("unreadable CSV after line " + csvRecords.line() + ": " + e.getMessage())
                            .getBytes(StandardCharsets.UTF_8), origin, -1);
                }
                if (cells == null) {
                    return null;
                }
                if (csvRows == null) {
                    csvRows = new CsvRows(cells, csv);
                    continue;
                }
                emitted++;
                dataRows++;
                byte[] json = csvRows.toJson(cells, dataRows);
                // A row whose cells do not match the header is passed on as is: the decoder rejects it
                // as malformed JSON, so it reaches dead-letters with its raw cells.
                return new RawEvent(null, json != null ? json : CsvRecords.rowOf(cells).getBytes(StandardCharsets.UTF_8),
                        fileName + ":" + csvRecords.line(), -1);
            }
            return null;
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
