package io.loopline.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loopline.io.CsvRecords;
import io.loopline.io.CsvRows;
import io.loopline.operators.decode.EventDecoder;
import io.loopline.operators.decode.InvalidEventException;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.records.Event;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Replays a labelled file (CSV or JSON lines, read with a feature spec) as a live stream: each row
 * goes to the events topic without its label, and the label goes to the labels topic later, right
 * after event i + N for a delay of N rows (N = 0: right after its own event), or after the first
 * event at least {@code labelDelay} later in event time. A label's timestamp is
 * the event time at which it became known. Rows before {@code fromRow} are skipped (they were the
 * history); rows that do not decode are counted and not sent.
 */
public final class FileReplay {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One replayed row: its event id, entity, event time and true label, in file order. */
    public record Row(String eventId, String entity, long timestamp, double label) {}

    /** What was sent. */
    public record Result(List<Row> rows, long labels, long invalid, double seconds) {}

    private final FeatureSpec spec;
    private final Path file;
    private final String labelColumn;
    private long fromRow = 1;
    private long toRow = Long.MAX_VALUE;
    private int labelDelayRows = 0;
    private long labelDelayMillis = -1;
    private double ratePerSecond;
    private Gate gate;
    private int stepRows;

    /** Holds a replay until the learning loop has taken in the labels written so far. */
    public interface Gate {
        /** Returns once {@code labels} labels have reached the trainer (learned from or discarded). */
        void awaitLabels(long labels) throws InterruptedException;
    }

    public FileReplay(FeatureSpec spec, Path file, String labelColumn) {
        this.spec = spec;
        this.file = file;
        this.labelColumn = labelColumn;
    }

    /** Replays data rows {@code from} to {@code to} (1-based, inclusive). */
    public FileReplay rows(long from, long to) {
        this.fromRow = from;
        this.toRow = to;
        return this;
    }

    public FileReplay labelDelayRows(int rows) {
        if (rows < 0) {
            throw new IllegalArgumentException("--label-delay must be >= 0, got " + rows);
        }
        this.labelDelayRows = rows;
        this.labelDelayMillis = -1;
        return this;
    }

    public FileReplay labelDelay(java.time.Duration delay) {
        this.labelDelayMillis = delay.toMillis();
        return this;
    }

    /** Rows per second; 0: as fast as Kafka takes them. */
    public FileReplay rate(double rowsPerSecond) {
        this.ratePerSecond = rowsPerSecond;
        return this;
    }

    /**
     * Lockstep: every {@code rowsPerStep} rows the replay waits until the labels of the rows before
     * have reached the trainer (and whatever else {@code gate} waits for), so what the loop learned
     * before each row does not depend on how fast this machine is. Replaces the rate.
     */
    public FileReplay lockstep(Gate gate, int rowsPerStep) {
        if (rowsPerStep < 1) {
            throw new IllegalArgumentException("--lockstep-rows must be >= 1, got " + rowsPerStep);
        }
        this.gate = gate;
        this.stepRows = rowsPerStep;
        return this;
    }

    /** The data rows of the file as the JSON events Loopline decodes (CSV rows get the spec's row ids, times and constants). */
    public static List<byte[]> read(Path file, FeatureSpec spec) throws IOException {
        List<byte[]> rows = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            boolean csv = !file.getFileName().toString().endsWith(".jsonl") && !file.getFileName().toString().endsWith(".json");
            if (csv) {
                // The same numbering of rows as the backfill's file source, so row ids and row times agree.
                try (CsvRecords records = new CsvRecords(reader)) {
                    List<String> header = records.next();
                    if (header == null) {
                        throw new IOException(file + " is empty");
                    }
                    CsvRows csvRows = new CsvRows(header, spec.csv());
                    long row = 0;
                    for (List<String> cells = records.next(); cells != null; cells = records.next()) {
                        byte[] json = csvRows.toJson(cells, ++row);
                        rows.add(json == null ? new byte[0] : json);
                    }
                }
                return rows;
            }
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    rows.add(line.getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        return rows;
    }

    public Result run(String bootstrapServers, String eventsTopic, String labelsTopic) throws IOException, InterruptedException {
        return run(io.loopline.kafka.KafkaConnection.of(bootstrapServers), eventsTopic, labelsTopic);
    }

    public Result run(io.loopline.kafka.KafkaConnection kafka, String eventsTopic, String labelsTopic) throws IOException, InterruptedException {
        List<byte[]> all = read(file, spec);
        Properties props = kafka.properties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        AtomicReference<Exception> failure = new AtomicReference<>();
        Result result;
        try (var producer = new KafkaProducer<byte[], byte[]>(props)) {
            result = replay(all, new Output() {
                @Override
                public void event(Event event, byte[] json) throws IOException {
                    producer.send(new ProducerRecord<>(eventsTopic, event.entity().getBytes(StandardCharsets.UTF_8), withoutLabel(json)), (m, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
                }

                @Override
                public void label(Row row, long knownAt) {
                    ObjectNode label = JSON.createObjectNode();
                    label.put("eventId", row.eventId()).put("label", row.label()).put("timestamp", knownAt);
                    label.put(spec.schema().entityField(), row.entity()); // for label-history features
                    producer.send(new ProducerRecord<>(labelsTopic, row.eventId().getBytes(StandardCharsets.UTF_8),
                            label.toString().getBytes(StandardCharsets.UTF_8)), (m, e) -> {
                                if (e != null) {
                                    failure.compareAndSet(null, e);
                                }
                            });
                }

                @Override
                public void flush() {
                    producer.flush();
                }

                @Override
                public boolean failed() {
                    return failure.get() != null;
                }
            });
        }
        if (failure.get() != null) {
            throw new IOException("replaying " + file + " to Kafka failed: " + failure.get(), failure.get());
        }
        return result;
    }

    /** Where a replay writes: the events topic, the labels topic. */
    interface Output {
        void event(Event event, byte[] json) throws IOException;

        void label(Row row, long knownAt);

        /** Makes everything written so far visible to readers. */
        void flush();

        /** True once a write failed: the replay stops. */
        boolean failed();
    }

    /**
     * The replay's order of writes: event i, then every label known with it. With a delay of N rows the
     * label of row i follows event i + N (N = 0: right after event i), so the system can know it when
     * it serves row i + N + 1; with a delay in time it follows the first event at least that much later.
     */
    Result replay(List<byte[]> all, Output out) throws IOException, InterruptedException {
        EventDecoder decoder = new EventDecoder(spec.schema());
        List<Row> sent = new ArrayList<>();
        Deque<Integer> pending = new ArrayDeque<>(); // indexes (in sent) of the rows whose label is not known yet
        List<Integer> labelledRows = new ArrayList<>(); // indexes (in sent) of the rows whose label was written, ascending
        long invalid = 0;
        long started = System.nanoTime();
        for (int i = (int) Math.max(0, fromRow - 1); i < all.size() && i < toRow && !out.failed(); i++) {
            Event event;
            byte[] json = all.get(i);
            try {
                event = decoder.decode(json);
            } catch (InvalidEventException e) {
                invalid++;
                continue;
            }
            int index = sent.size();
            if (gate != null && index > 0 && index % stepRows == 0) {
                // Serving emits a row once a later one moved its event time on: the labels of rows that have a successor can arrive.
                out.flush();
                gate.awaitLabels(countBelow(labelledRows, index - 1));
            } else if (ratePerSecond > 0) {
                pace(started, index);
            }
            out.event(event, json);
            Row row = new Row(event.id(), event.entity(), event.timestamp(), labelOf(json, event));
            sent.add(row);
            pending.addLast(index);
            while (!pending.isEmpty() && (labelDelayMillis >= 0 ? sent.get(pending.peekFirst()).timestamp() + labelDelayMillis <= event.timestamp()
                    : pending.size() > labelDelayRows)) {
                int known = pending.pollFirst();
                if (writeLabel(out, sent.get(known), event.timestamp())) {
                    labelledRows.add(known);
                }
            }
        }
        long end = sent.isEmpty() ? 0 : sent.get(sent.size() - 1).timestamp();
        while (!pending.isEmpty()) {
            int known = pending.pollFirst();
            Row row = sent.get(known);
            if (writeLabel(out, row, Math.max(end, labelDelayMillis >= 0 ? row.timestamp() + labelDelayMillis : end))) {
                labelledRows.add(known);
            }
        }
        out.flush();
        return new Result(sent, labelledRows.size(), invalid, (System.nanoTime() - started) / 1e9);
    }

    private static boolean writeLabel(Output out, Row row, long knownAt) {
        if (Double.isNaN(row.label())) {
            return false;
        }
        out.label(row, knownAt);
        return true;
    }

    private static long countBelow(List<Integer> ascending, int limit) {
        int at = java.util.Collections.binarySearch(ascending, limit);
        return at >= 0 ? at : -at - 1;
    }

    private double labelOf(byte[] json, Event event) throws IOException {
        if (labelColumn == null || spec.schema().labelField().map(labelColumn::equals).orElse(false)) {
            return event.label();
        }
        var node = JSON.readTree(json).get(labelColumn);
        if (node == null || node.isNull()) {
            return Double.NaN;
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isBoolean()) {
            return node.asBoolean() ? 1 : 0;
        }
        Double mapped = spec.schema().labelValue(node.asText());
        if (mapped == null) {
            throw new IllegalArgumentException("--label-column " + labelColumn + ": value '" + node.asText() + "' is not a number and not one of the spec's label values "
                    + spec.schema().labelValues().keySet());
        }
        return mapped;
    }

    /** The event as serving sees it live: without the label, which arrives later on its own topic. */
    private byte[] withoutLabel(byte[] json) throws IOException {
        ObjectNode node = (ObjectNode) JSON.readTree(json);
        if (labelColumn != null) {
            node.remove(labelColumn);
        }
        spec.schema().labelField().ifPresent(node::remove);
        return JSON.writeValueAsBytes(node);
    }

    private void pace(long started, long index) throws InterruptedException {
        long due = started + (long) (index * 1e9 / ratePerSecond);
        long wait = due - System.nanoTime();
        if (wait > 1_000_000) {
            Thread.sleep(wait / 1_000_000);
        }
    }
}
