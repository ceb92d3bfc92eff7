package io.loopline.kafka;

import io.loopline.operators.retraining.ModelAnnouncer;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.model.ModelStore;
import java.io.IOException;

/**
 * Announces promoted versions on the {@code models} topic, waiting for the broker's acknowledgement.
 * An announcement repeated after a restore is harmless: serving ignores versions it already has.
 */
public record KafkaModelAnnouncer(String bootstrapServers, String topic) implements ModelAnnouncer {
    @Override
    public void announce(ModelStore store, ModelMetadata metadata) throws IOException {
        ModelAnnouncements.announce(bootstrapServers, topic, store, metadata);
    }
}
