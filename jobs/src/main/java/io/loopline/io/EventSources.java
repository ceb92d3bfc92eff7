package io.loopline.io;

import io.loopline.kafka.RawEventDeserializer;
import io.loopline.operators.features.spec.CsvOptions;
import io.loopline.state.records.RawEvent;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Bounded inputs of history: event files on any Flink FileSystem, or a Kafka offset range. */
public final class EventSources {
    private EventSources() {}

    /** A bounded input and, when it can be known up front, how many events it holds (for an ETA). */
    public record BoundedInput(Source<RawEvent, ?, ?> source, OptionalLong expectedEvents, String description) {}

    public static BoundedInput files(List<Path> paths, InputFormat format, CsvOptions csv) {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("--input: give at least one file or folder");
        }
        long lines = 0;
        boolean countable = true;
        for (Path path : paths) {
            try {
                FileSystem fs = path.getFileSystem();
                if (!fs.exists(path)) {
                    throw new IllegalArgumentException("--input: " + path + " does not exist");
                }
                if (countable) {
                    long n = countLines(fs, path, format);
                    countable = n >= 0;
                    lines += Math.max(0, n);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("--input: cannot read " + path + ": " + e.getMessage(), e);
            }
        }
        FileSource<RawEvent> source = FileSource.forBulkFileFormat(new EventFileFormat(format, csv), paths.toArray(new Path[0])).build();
        return new BoundedInput(source, countable ? OptionalLong.of(lines) : OptionalLong.empty(), paths.size() + " " + format + " input(s)");
    }

    /** Local files are counted (a fast byte scan); remote ones are not, to avoid reading them twice. */
    private static long countLines(FileSystem fs, Path path, InputFormat format) throws IOException {
        if (fs.isDistributedFS()) {
            return -1;
        }
        List<Path> files = new ArrayList<>();
        FileStatus status = fs.getFileStatus(path);
        if (status.isDir()) {
            for (FileStatus child : fs.listStatus(path)) {
                if (!child.isDir() && !child.getPath().getName().startsWith(".") && !child.getPath().getName().startsWith("_")) {
                    files.add(child.getPath());
                }
            }
        } else {
            files.add(path);
        }
        long total = 0;
        for (Path file : files) {
            long newlines = 0;
            boolean endsWithNewline = true;
            try (InputStream in = new BufferedInputStream(fs.open(file), 1 << 16)) {
                byte[] buffer = new byte[1 << 16];
                for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == '\n') {
                            newlines++;
                        }
                    }
                    endsWithNewline = buffer[n - 1] == '\n';
                }
            }
            long fileLines = newlines + (endsWithNewline ? 0 : 1);
            total += format == InputFormat.CSV ? Math.max(0, fileLines - 1) : fileLines;
        }
        return total;
    }

    /**
     * A bounded range of a topic.
     *
     * @param start {@code earliest}, {@code committed} or {@code partition:offset,...}
     * @param stop {@code latest} or {@code partition:offset,...} (exclusive)
     */
    public static BoundedInput kafkaRange(String bootstrap, String topic, String groupId, String start, String stop) {
        Map<TopicPartition, Long> startOffsets = offsets(topic, start, "--start");
        Map<TopicPartition, Long> stopOffsets = offsets(topic, stop, "--stop");
        OffsetsInitializer starting = switch (start) {
            case "earliest" -> OffsetsInitializer.earliest();
            case "committed" -> OffsetsInitializer.committedOffsets(org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST);
            default -> OffsetsInitializer.offsets(startOffsets);
        };
        OffsetsInitializer stopping = stop.equals("latest") ? OffsetsInitializer.latest() : OffsetsInitializer.offsets(stopOffsets);
        KafkaSource<RawEvent> source = KafkaSource.<RawEvent>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(starting)
                .setBounded(stopping)
                .setDeserializer(new RawEventDeserializer())
                .setProperty("isolation.level", "read_committed")
                .build();
        return new BoundedInput(source, expectedInRange(bootstrap, topic, start, stop, startOffsets, stopOffsets),
                "Kafka " + topic + " [" + start + ", " + stop + ")");
    }

    private static Map<TopicPartition, Long> offsets(String topic, String spec, String option) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        if (spec.equals("earliest") || spec.equals("latest") || spec.equals("committed")) {
            return offsets;
        }
        for (String part : spec.split(",")) {
            String[] po = part.trim().split(":");
            try {
                offsets.put(new TopicPartition(topic, Integer.parseInt(po[0])), Long.parseLong(po[1]));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(option + ": '" + spec + "' is not earliest, latest or partition:offset[,partition:offset...]");
            }
        }
        return offsets;
    }

    private static OptionalLong expectedInRange(String bootstrap, String topic, String start, String stop,
            Map<TopicPartition, Long> startOffsets, Map<TopicPartition, Long> stopOffsets) {
        if (start.equals("committed")) {
            return OptionalLong.empty();
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<byte[], byte[]>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, java.time.Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, Long> first = start.equals("earliest") ? consumer.beginningOffsets(partitions) : startOffsets;
            Map<TopicPartition, Long> last = stop.equals("latest") ? consumer.endOffsets(partitions) : stopOffsets;
            long total = 0;
            for (TopicPartition p : partitions) {
                total += Math.max(0, last.getOrDefault(p, 0L) - first.getOrDefault(p, last.getOrDefault(p, 0L)));
            }
            // Transaction markers take offsets too: the count is an upper bound, fine for an ETA.
            return OptionalLong.of(total);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read offsets of topic '" + topic + "' at " + bootstrap + ": " + e.getMessage(), e);
        }
    }

}
