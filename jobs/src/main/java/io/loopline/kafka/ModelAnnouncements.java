package io.loopline.kafka;

import io.loopline.state.serialization.ModelAnnouncementSerializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.model.ModelStore;
import io.loopline.state.records.ModelAnnouncement;
import io.loopline.state.records.ModelAnnouncement.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code models} topic: value {@code {name, version, sha256, role, canaryShare, uri, featureSpec,
 * dimension, parent, metrics}}; the weights stay in the model store. Champions are keyed by model
 * name, trials (shadow, canary, end-trial) by {@code name/trial}: the topic is compacted, so the
 * latest champion and the latest trial announcement of each model both stay, and a trial never
 * compacts the champion away. A record without a role is a champion (announcements before trials).
 */
public final class ModelAnnouncements {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelAnnouncements() {}

    public static byte[] encode(ModelMetadata m, String uri) {
        return encode(m, uri, Role.CHAMPION, 0);
    }

    public static byte[] encode(ModelMetadata m, String uri, Role role, double canaryShare) {
        return Json.object(json -> {
            json.writeStringField("name", m.name());
            json.writeNumberField("version", m.version());
            json.writeStringField("sha256", m.sha256());
            json.writeStringField("role", role.wireName());
            if (role == Role.CANARY) {
                json.writeNumberField("canaryShare", canaryShare);
            }
            json.writeStringField("uri", uri);
            json.writeStringField("featureSpec", m.featureSpec());
            json.writeNumberField("dimension", m.dimension());
            if (m.parent() != null) {
                json.writeNumberField("parent", m.parent());
            }
            json.writeStringField("createdAt", m.createdAt().toString());
            json.writeObjectFieldStart("metrics");
            for (var e : new java.util.TreeMap<>(m.metrics()).entrySet()) {
                json.writeNumberField(e.getKey(), e.getValue());
            }
            json.writeEndObject();
        });
    }

    /** Announces a stored version on the topic and waits for the broker's acknowledgement. */
    public static void announce(String bootstrap, String topic, ModelStore store, ModelMetadata m) throws IOException {
        announce(KafkaConnection.of(bootstrap), topic, store, m);
    }

    public static void announce(KafkaConnection kafka, String topic, ModelStore store, ModelMetadata m) throws IOException {
        announce(kafka, topic, store, m, Role.CHAMPION, 0);
    }

    /** Announces a stored version in a role (a trial beside the champion, or the end of one) and waits for the acknowledgement. */
    public static void announce(KafkaConnection kafka, String topic, ModelStore store, ModelMetadata m, Role role, double canaryShare)
            throws IOException {
        new ModelAnnouncement(m.name(), m.version(), m.sha256(), role, canaryShare); // the same checks as the reading side
        String key = role == Role.CHAMPION ? m.name() : m.name() + "/trial";
        Properties props = kafka.properties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<byte[], byte[]>(props)) {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), encode(m, store.artifactUri(m), role, canaryShare))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while announcing " + m.name() + " v" + m.version(), e);
        } catch (ExecutionException e) {
            throw new IOException("cannot announce " + m.name() + " v" + m.version() + " on " + topic + ": " + e.getCause(), e);
        }
    }

    /** Reads announcements; a record that is not one is logged and skipped (the scoring operator never sees it). */
    public static final class Deserializer implements KafkaRecordDeserializationSchema<ModelAnnouncement> {
        private static final long serialVersionUID = 1L;
        private static final Logger LOG = LoggerFactory.getLogger(Deserializer.class);

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ModelAnnouncement> out) {
            try {
                JsonNode node = JSON.readTree(record.value());
                String name = node.path("name").asText(null);
                long version = node.path("version").asLong(-1);
                String sha = node.path("sha256").asText(null);
                if (name == null || version < 1 || sha == null) {
                    LOG.warn("Skipping a models record without name, version or sha256 at {}-{}@{}", record.topic(), record.partition(), record.offset());
                    return;
                }
                Role role = Role.fromWireName(node.path("role").asText("champion"));
                out.collect(new ModelAnnouncement(name, version, sha, role, node.path("canaryShare").asDouble(0)));
            } catch (IOException | RuntimeException e) {
                LOG.warn("Skipping an unreadable models record at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
            }
        }

        @Override
        public TypeInformation<ModelAnnouncement> getProducedType() {
            return ModelAnnouncementSerializer.TYPE_INFO;
        }
    }
}
