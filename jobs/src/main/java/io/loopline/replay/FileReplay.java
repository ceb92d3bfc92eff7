package io.loopline.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * goes to the events topic without its label, and the label goes to the labels topic later, after
 * {@code labelDelayRows} more rows (the label of row i becomes known when row i + N happens) or
 * once the stream's event time has moved {@code labelDelay} past the row. A label's timestamp is
 * the event time at which it became known. Rows before {@code fromRow} are skipped (they were the
 * history); rows that do not decode are counted and not sent.
 */
public final class FileReplay {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One replayed row: its event id, event time and true label, in file order. */
    public record Row(String eventId, long timestamp, double label) {}

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

    /** The data rows of the file as the JSON events Loopline decodes (CSV rows get the spec's row ids, times and constants). */
    public static List<byte[]> read(Path file, FeatureSpec spec) throws IOException {
        List<byte[]> rows = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            boolean csv = !file.getFileName().toString().endsWith(".jsonl") && !file.getFileName().toString().endsWith(".json");
            CsvRows csvRows = null;
            if (csv) {
                String header = reader.readLine();
                if (header == null) {
                    throw new IOException(file + " is empty");
                }
                csvRows = new CsvRows(header, spec.csv());
            }
            long row = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                row++;
                byte[] json = csv ? csvRows.toJson(line, row) : line.getBytes(StandardCharsets.UTF_8);
                rows.add(json == null ? new byte[0] : json);
            }
        }
        return rows;
    }

    public Result run(String bootstrapServers, String eventsTopic, String labelsTopic) throws IOException, InterruptedException {
        return run(io.loopline.kafka.KafkaConnection.of(bootstrapServers), eventsTopic, labelsTopic);
    }

    public Result run(io.loopline.kafka.KafkaConnection kafka, String eventsTopic, String labelsTopic) throws IOException, InterruptedException {
        List<byte[]> all = read(file, spec);
        EventDecoder decoder = new EventDecoder(spec.schema());
        Properties props = kafka.properties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Row> sent = new ArrayList<>();
        Deque<Row> pending = new ArrayDeque<>();
        long labels = 0;
        long invalid = 0;
        long started = System.nanoTime();
        try (var producer = new KafkaProducer<byte[], byte[]>(props)) {
            long index = 0;
            for (int i = (int) Math.max(0, fromRow - 1); i < all.size() && i < toRow; i++) {
                Event event;
                byte[] json = all.get(i);
                try {
                    event = decoder.decode(json);
                } catch (InvalidEventException e) {
                    invalid++;
                    continue;
                }
                if (ratePerSecond > 0) {
                    pace(started, index);
                }
                index++;
                producer.send(new ProducerRecord<>(eventsTopic, event.entity().getBytes(StandardCharsets.UTF_8), withoutLabel(json)), (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
                // Labels that became known with this row (by row count or by event time) follow it.
                while (!pending.isEmpty() && (labelDelayMillis >= 0 ? pending.peekFirst().timestamp() + labelDelayMillis <= event.timestamp()
                        : pending.size() > labelDelayRows)) {
                    labels += sendLabel(producer, labelsTopic, pending.pollFirst(), event.timestamp(), failure);
                }
                Row row = new Row(event.id(), event.timestamp(), labelOf(json, event));
                sent.add(row);
                pending.addLast(row);
                if (labelDelayMillis < 0 && labelDelayRows == 0) {
                    labels += sendLabel(producer, labelsTopic, pending.pollFirst(), event.timestamp(), failure);
                }
                if (failure.get() != null) {
                    break;
                }
            }
            long end = sent.isEmpty() ? 0 : sent.get(sent.size() - 1).timestamp();
            while (!pending.isEmpty()) {
                Row row = pending.pollFirst();
                labels += sendLabel(producer, labelsTopic, row, Math.max(end, labelDelayMillis >= 0 ? row.timestamp() + labelDelayMillis : end), failure);
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IOException("replaying " + file + " to Kafka failed: " + failure.get(), failure.get());
        }
        return new Result(sent, labels, invalid, (System.nanoTime() - started) / 1e9);
    }

    private static int sendLabel(KafkaProducer<byte[], byte[]> producer, String topic, Row row, long knownAt, AtomicReference<Exception> failure) {
        if (Double.isNaN(row.label())) {
            return 0;
        }
        ObjectNode label = JSON.createObjectNode();
        label.put("eventId", row.eventId()).put("label", row.label()).put("timestamp", knownAt);
        producer.send(new ProducerRecord<>(topic, row.eventId().getBytes(StandardCharsets.UTF_8), label.toString().getBytes(StandardCharsets.UTF_8)),
                (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
        return 1;
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
