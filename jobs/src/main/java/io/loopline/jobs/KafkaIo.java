package io.loopline.jobs;

import io.loopline.kafka.DeadLetterSerializer;
import io.loopline.kafka.FeatureVectorSerializer;
import io.loopline.kafka.ModelAnnouncements;
import io.loopline.kafka.PredictionSerializer;
import io.loopline.kafka.RawEventDeserializer;
import io.loopline.kafka.ServedFeaturesSerializer;
import io.loopline.state.records.DeadLetter;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.ModelAnnouncement;
import io.loopline.state.records.Prediction;
import io.loopline.state.records.RawEvent;
import io.loopline.state.records.ServedFeatures;
import java.time.Duration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

/** The production Kafka sources and sinks of Loopline's jobs. */
public final class KafkaIo {
    /** Below the broker's default {@code transaction.max.timeout.ms} (15 min). */
    private static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(10);

    private KafkaIo() {}

    /**
     * @param bounded stop at the offsets that are the latest when the job starts (for backfills and
     *     tests); otherwise read forever
     */
    public static KafkaSource<RawEvent> events(String bootstrapServers, String topic, String groupId, boolean bounded) {
        return events(bootstrapServers, topic, groupId, bounded, 0);
    }

    /**
     * @param fromTimestamp when positive, start at the first record written at or after this time
     *     (epoch millis) instead of the group's committed offsets: a run that must not see what earlier
     *     runs left in a shared topic (the demo on an existing cluster)
     */
    public static KafkaSource<RawEvent> events(String bootstrapServers, String topic, String groupId, boolean bounded, long fromTimestamp) {
        var builder = KafkaSource.<RawEvent>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(fromTimestamp > 0 ? OffsetsInitializer.timestamp(fromTimestamp) : OffsetsInitializer.committedOffsets(
                        org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawEventDeserializer())
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "10000");
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    public static KafkaSink<FeatureVector> features(String bootstrapServers, String topic, String specName, String transactionalIdPrefix) {
        return KafkaSink.<FeatureVector>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(new FeatureVectorSerializer(topic, specName))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix + "-features")
                .setProperty("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT.toMillis()))
                .build();
    }

    /** The models topic from its beginning (compacted: the latest announcement per model name). */
    public static KafkaSource<ModelAnnouncement> models(String bootstrapServers, String topic, String groupId, boolean bounded) {
        return models(bootstrapServers, topic, groupId, bounded, 0);
    }

    /** @param fromTimestamp when positive, only announcements written at or after this time (see {@link #events}) */
    public static KafkaSource<ModelAnnouncement> models(String bootstrapServers, String topic, String groupId, boolean bounded, long fromTimestamp) {
        var builder = KafkaSource.<ModelAnnouncement>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId + "-models")
                .setStartingOffsets(fromTimestamp > 0 ? OffsetsInitializer.timestamp(fromTimestamp) : OffsetsInitializer.earliest())
                .setDeserializer(new ModelAnnouncements.Deserializer())
                .setProperty("partition.discovery.interval.ms", "10000");
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    public static KafkaSink<Prediction> predictions(String bootstrapServers, String topic, String transactionalIdPrefix) {
        return predictions(bootstrapServers, topic, transactionalIdPrefix, DeliveryGuarantee.EXACTLY_ONCE);
    }

    /**
     * @param guarantee {@code AT_LEAST_ONCE} makes predictions visible as soon as they are written
     *     (latency in milliseconds) instead of at the next checkpoint, at the price of duplicates after a failure
     */
    public static KafkaSink<Prediction> predictions(String bootstrapServers, String topic, String transactionalIdPrefix, DeliveryGuarantee guarantee) {
        return KafkaSink.<Prediction>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(new PredictionSerializer(topic))
                .setDeliveryGuarantee(guarantee)
                // At least once is chosen for latency: send at once rather than after the default 5 ms linger.
                .setProperty("linger.ms", guarantee == DeliveryGuarantee.AT_LEAST_ONCE ? "0" : "5")
                .setTransactionalIdPrefix(transactionalIdPrefix + "-predictions")
                .setProperty("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT.toMillis()))
                .build();
    }

    /** Any topic of JSON records, kept undecoded (decoding errors go to dead letters with the raw bytes), from committed offsets or the start. */
    public static KafkaSource<RawEvent> raw(String bootstrapServers, String topic, String groupId) {
        return raw(bootstrapServers, topic, groupId, 0);
    }

    /** @param fromTimestamp when positive, only records written at or after this time (see {@link #events}) */
    public static KafkaSource<RawEvent> raw(String bootstrapServers, String topic, String groupId, long fromTimestamp) {
        return KafkaSource.<RawEvent>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(fromTimestamp > 0 ? OffsetsInitializer.timestamp(fromTimestamp)
                        : OffsetsInitializer.committedOffsets(org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawEventDeserializer())
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "10000")
                .build();
    }

    /** The drift topic: evaluation metrics, drift statistics and detector change points, exactly once. */
    public static KafkaSink<io.loopline.state.records.MonitoringReport> drift(String bootstrapServers, String topic, String transactionalIdPrefix) {
        return KafkaSink.<io.loopline.state.records.MonitoringReport>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(new io.loopline.kafka.MonitoringReportSerializer(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix + "-drift")
                .setProperty("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT.toMillis()))
                .build();
    }

    /** The feature log: served features with their predictions, exactly once. */
    public static KafkaSink<ServedFeatures> featureLog(String bootstrapServers, String topic, String specName, String transactionalIdPrefix) {
        return KafkaSink.<ServedFeatures>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(new ServedFeaturesSerializer(topic, specName))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix + "-feature-log")
                .setProperty("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT.toMillis()))
                .build();
    }

    public static KafkaSink<DeadLetter> deadLetters(String bootstrapServers, String topic, String transactionalIdPrefix) {
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(new DeadLetterSerializer(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix + "-dead-letters")
                .setProperty("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT.toMillis()))
                .build();
    }
}
