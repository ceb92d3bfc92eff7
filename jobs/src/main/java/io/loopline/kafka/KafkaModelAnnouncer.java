package io.loopline.kafka;

import io.loopline.operators.retraining.ModelAnnouncer;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.model.ModelStore;
import java.io.IOException;

/**
 * Announces promoted versions on the {@code models} topic, waiting for the broker's acknowledgement.
 * An announcement repeated after a restore is harmless: serving ignores versions it already has.
 */
public record KafkaModelAnnouncer(KafkaConnection kafka, String topic) implements ModelAnnouncer {
    public KafkaModelAnnouncer(String bootstrapServers, String topic) {
        this(KafkaConnection.of(bootstrapServers), topic);
    }

    @Override
    public void announce(ModelStore store, ModelMetadata metadata) throws IOException {
        ModelAnnouncements.announce(kafka, topic, store, metadata);
    }

    @Override
    public void announce(ModelStore store, ModelMetadata metadata, io.loopline.state.records.ModelAnnouncement.Role role) throws IOException {
        ModelAnnouncements.announce(kafka, topic, store, metadata, role, 0);
    }
}
