package io.loopline.jobs;

import io.loopline.kafka.DeadLetterSerializer;
import io.loopline.kafka.FeatureVectorSerializer;
import io.loopline.kafka.KafkaConnection;
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
    public static KafkaSource<RawEvent> events(KafkaConnection kafka, String topic, String groupId, boolean bounded) {
        return events(kafka, topic, groupId, bounded, 0);
    }

    public static KafkaSource<RawEvent> events(String bootstrapServers, String topic, String groupId, boolean bounded) {
        return events(KafkaConnection.of(bootstrapServers), topic, groupId, bounded);
    }

    /**
     * @param fromTimestamp when positive, start at the first record written at or after this time
     *     (epoch millis) instead of the group's committed offsets: a run that must not see what earlier
     *     runs left in a shared topic (the demo on an existing cluster)
     */
    public static KafkaSource<RawEvent> events(KafkaConnection kafka, String topic, String groupId, boolean bounded, long fromTimestamp) {
        var builder = KafkaSource.<RawEvent>builder()
                .setProperties(kafka.properties())
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

    public static KafkaSource<RawEvent> events(String bootstrapServers, String topic, String groupId, boolean bounded, long fromTimestamp) {
        return events(KafkaConnection.of(bootstrapServers), topic, groupId, bounded, fromTimestamp);
    }

    public static KafkaSink<FeatureVector> features(KafkaConnection kafka, String topic, String specName, String transactionalIdPrefix) {
        return KafkaSink.<FeatureVector>builder()
                .setKafkaProducerConfig(kafka.properties())
                .setBootstrapServers(kafka.bootstrapServers())
                .setRecordSerializer(new FeatureVectorSerializer(topic, specName))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix + "-features")
                .setProperty("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT.toMillis()))
                .build();
    }

    public static KafkaSink<FeatureVector> features(String bootstrapServers, String topic, String specName, String transactionalIdPrefix) {
        return features(KafkaConnection.of(bootstrapServers), topic, specName, transactionalIdPrefix);
    }

    /** The models topic from its beginning (compacted: the latest announcement per model name). */
    public static KafkaSource<ModelAnnouncement> models(KafkaConnection kafka, String topic, String groupId, boolean bounded) {
        return models(kafka, topic, groupId, bounded, 0);
    }

    public static KafkaSource<ModelAnnouncement> models(String bootstrapServers, String topic, String groupId, boolean bounded) {
        return models(KafkaConnection.of(bootstrapServers), topic, groupId, bounded);
    }

    /** @param fromTimestamp when positive, only announcements written at or after this time (see {@link #events}) */
    public static KafkaSource<ModelAnnouncement> models(KafkaConnection kafka, String topic, String groupId, boolean bounded, long fromTimestamp) {
        var builder = KafkaSource.<ModelAnnouncement>builder()
                .setProperties(kafka.properties())
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

    public static KafkaSource<ModelAnnouncement> models(String bootstrapServers, String topic, String groupId, boolean bounded, long fromTimestamp) {
        return models(KafkaConnection.of(bootstrapServers), topic, groupId, bounded, fromTimestamp);
    }

    public static KafkaSink<Prediction> predictions(KafkaConnection kafka, String topic, String transactionalIdPrefix) {
        return predictions(kafka, topic, transactionalIdPrefix, DeliveryGuarantee.EXACTLY_ONCE);
    }

    public static KafkaSink<Prediction> predictions(String bootstrapServers, String topic, String transactionalIdPrefix) {
        return predictions(KafkaConnection.of(bootstrapServers), topic, transactionalIdPrefix);
    }

    /**
     * @param guarantee {@code AT_LEAST_ONCE} makes predictions visible as soon as they are written
     *     (latency in milliseconds) instead of at the next checkpoint, at the price of duplicates after a failure
     */
    public static KafkaSink<Prediction> predictions(KafkaConnection kafka, String topic, String transactionalIdPrefix, DeliveryGuarantee guarantee) {
        return KafkaSink.<Prediction>builder()
                .setKafkaProducerConfig(kafka.properties())
                .setBootstrapServers(kafka.bootstrapServers())
                .setRecordSerializer(new PredictionSerializer(topic))
                .setDeliveryGuarantee(guarantee)
                // At least once is chosen for latency: a 2 ms linger still batches (linger 0 sent a request per few records and cost
                // the broker, on the same cores in the demo, a fifth of the job's throughput).
                .setProperty("linger.ms", guarantee == DeliveryGuarantee.AT_LEAST_ONCE ? "2" : "5")
                .setTransactionalIdPrefix(transactionalIdPrefix + "-predictions")
                .setProperty("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT.toMillis()))
                .build();
    }

    public static KafkaSink<Prediction> predictions(String bootstrapServers, String topic, String transactionalIdPrefix, DeliveryGuarantee guarantee) {
        return predictions(KafkaConnection.of(bootstrapServers), topic, transactionalIdPrefix, guarantee);
    }

    /** Any topic of JSON records, kept undecoded (decoding errors go to dead letters with the raw bytes), from committed offsets or the start. */
    public static KafkaSource<RawEvent> raw(KafkaConnection kafka, String topic, String groupId) {
        return raw(kafka, topic, groupId, 0);
    }

    public static KafkaSource<RawEvent> raw(String bootstrapServers, String topic, String groupId) {
        return raw(KafkaConnection.of(bootstrapServers), topic, groupId);
    }

    /** @param fromTimestamp when positive, only records written at or after this time (see {@link #events}) */
    public static KafkaSource<RawEvent> raw(KafkaConnection kafka, String topic, String groupId, long fromTimestamp) {
        return KafkaSource.<RawEvent>builder()
                .setProperties(kafka.properties())
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(fromTimestamp > 0 ? OffsetsInitializer.timestamp(fromTimestamp)
                        : OffsetsInitializer.committedOffsets(org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawEventDeserializer())
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "10000")
                .build();
    }

    public static KafkaSource<RawEvent> raw(String bootstrapServers, String topic, String groupId, long fromTimestamp) {
        return raw(KafkaConnection.of(bootstrapServers), topic, groupId, fromTimestamp);
    }

    /** The drift topic: evaluation metrics, drift statistics and detector change points, exactly once. */
    public static KafkaSink<io.loopline.state.records.MonitoringReport> drift(KafkaConnection kafka, String topic, String transactionalIdPrefix) {
        return KafkaSink.<io.loopline.state.records.MonitoringReport>builder()
                .setKafkaProducerConfig(kafka.properties())
                .setBootstrapServers(kafka.bootstrapServers())
                .setRecordSerializer(new io.loopline.kafka.MonitoringReportSerializer(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix + "-drift")
                .setProperty("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT.toMillis()))
                .build();
    }

    public static KafkaSink<io.loopline.state.records.MonitoringReport> drift(String bootstrapServers, String topic, String transactionalIdPrefix) {
        return drift(KafkaConnection.of(bootstrapServers), topic, transactionalIdPrefix);
    }

    /** The feature log: served features with their predictions, exactly once. */
    public static KafkaSink<ServedFeatures> featureLog(KafkaConnection kafka, String topic, String specName, String transactionalIdPrefix) {
        return servedFeatures(kafka, topic, specName, transactionalIdPrefix + "-feature-log");
    }

    /** What shadow versions scored: the feature log's format, its own transactional ids. */
    public static KafkaSink<ServedFeatures> shadowLog(KafkaConnection kafka, String topic, String specName, String transactionalIdPrefix) {
        return servedFeatures(kafka, topic, specName, transactionalIdPrefix + "-shadow-log");
    }

    private static KafkaSink<ServedFeatures> servedFeatures(KafkaConnection kafka, String topic, String specName, String transactionalId) {
        return KafkaSink.<ServedFeatures>builder()
                .setKafkaProducerConfig(kafka.properties())
                .setBootstrapServers(kafka.bootstrapServers())
                .setRecordSerializer(new ServedFeaturesSerializer(topic, specName))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalId)
                .setProperty("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT.toMillis()))
                .build();
    }

    public static KafkaSink<ServedFeatures> featureLog(String bootstrapServers, String topic, String specName, String transactionalIdPrefix) {
        return featureLog(KafkaConnection.of(bootstrapServers), topic, specName, transactionalIdPrefix);
    }

    public static KafkaSink<DeadLetter> deadLetters(KafkaConnection kafka, String topic, String transactionalIdPrefix) {
        return KafkaSink.<DeadLetter>builder()
                .setKafkaProducerConfig(kafka.properties())
                .setBootstrapServers(kafka.bootstrapServers())
                .setRecordSerializer(new DeadLetterSerializer(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix + "-dead-letters")
                .setProperty("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT.toMillis()))
                .build();
    }

    public static KafkaSink<DeadLetter> deadLetters(String bootstrapServers, String topic, String transactionalIdPrefix) {
        return deadLetters(KafkaConnection.of(bootstrapServers), topic, transactionalIdPrefix);
    }
}
