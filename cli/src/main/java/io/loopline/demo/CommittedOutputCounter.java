package io.loopline.demo;

import io.loopline.synthetic.PredictionLatency;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the job's outputs as a downstream user would ({@code isolation.level=read_committed}) and
 * counts what is committed: feature vectors (distinct event ids and duplicates) and dead letters by
 * reason. It is the demo's measure of progress and of exactly-once.
 */
public final class CommittedOutputCounter implements AutoCloseable {
    private final String featuresTopic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Set<String> featureIds = new HashSet<>();
    private final Map<String, Long> deadLettersByReason = new TreeMap<>();
    private final ObjectMapper mapper = new ObjectMapper();
    private final AtomicLong features = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopped;

    private final String predictionsTopic;
    private final Set<String> predictedIds = new HashSet<>();
    private final Map<Long, Long> predictionsByVersion = new TreeMap<>();
    private final AtomicLong predictions = new AtomicLong();
    private volatile io.loopline.demo.report.Timeline timeline;
    private volatile PredictionLatency latency;

    public CommittedOutputCounter(String bootstrapServers, String featuresTopic, String predictionsTopic, String deadLetterTopic) {
        this.featuresTopic = featuresTopic;
        this.predictionsTopic = predictionsTopic;
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
                props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(props);
        // Only outputs of this run count: start at the current end of both topics.
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(featuresTopic, predictionsTopic, deadLetterTopic)) {
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
        }
        this.consumer.assign(partitions);
        this.consumer.seekToEnd(partitions);
        partitions.forEach(p -> consumer.position(p, Duration.ofSeconds(30)));
        this.thread = new Thread(this::consume, "loopline-demo-output-counter");
        this.thread.setDaemon(true);
    }

    public CommittedOutputCounter start() {
        thread.start();
        return this;
    }

    private void consume() {
        while (!stopped) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.topic().equals(featuresTopic)) {
                    synchronized (this) {
                        featureIds.add(new String(record.key(), StandardCharsets.UTF_8));
                    }
                    features.incrementAndGet();
                } else if (record.topic().equals(predictionsTopic)) {
                    if (latency != null) {
                        latency.readable(new String(record.key(), StandardCharsets.UTF_8));
                    }
                    long[] versionAndTime = versionAndTimeOf(record.value());
                    long version = versionAndTime[0];
                    if (timeline != null) {
                        timeline.prediction(version, versionAndTime[1]);
                    }
                    synchronized (this) {
                        predictedIds.add(new String(record.key(), StandardCharsets.UTF_8));
                        predictionsByVersion.merge(version, 1L, Long::sum);
                    }
                    predictions.incrementAndGet();
                } else {
                    String reason = reasonOf(record.value());
                    synchronized (this) {
                        deadLettersByReason.merge(reason, 1L, Long::sum);
                    }
                    deadLetters.incrementAndGet();
                }
            }
        }
    }

    private long[] versionAndTimeOf(byte[] value) {
        try {
            var node = mapper.readTree(value);
            return new long[] {node.path("modelVersion").asLong(-1), node.path("eventTime").asLong()};
        } catch (IOException e) {
            return new long[] {-1, 0};
        }
    }

    /** Also hands each prediction's event id to {@code value} as it is read, for end-to-end latency. */
    public CommittedOutputCounter measuringLatency(PredictionLatency value) {
        this.latency = value;
        return this;
    }

    /** Also counts predictions per version over event time into this timeline (for the report). */
    public CommittedOutputCounter recordingInto(io.loopline.demo.report.Timeline value) {
        this.timeline = value;
        return this;
    }

    public long predictions() {
        return predictions.get();
    }

    public synchronized long distinctPredictions() {
        return predictedIds.size();
    }

    public synchronized Map<Long, Long> predictionsByVersion() {
        return new TreeMap<>(predictionsByVersion);
    }

    private String reasonOf(byte[] value) {
        try {
            JsonNode node = mapper.readTree(value);
            return node.path("reason").asText("unknown");
        } catch (IOException e) {
            return "unreadable";
        }
    }

    public long features() {
        return features.get();
    }

    public synchronized long distinctFeatures() {
        return featureIds.size();
    }

    public long deadLetters() {
        return deadLetters.get();
    }

    public synchronized Map<String, Long> deadLettersByReason() {
        return new TreeMap<>(deadLettersByReason);
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(5000);
        consumer.close(Duration.ofSeconds(5));
    }
}
