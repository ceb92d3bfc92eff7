package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Reads the committed feature vectors of a features topic: event id to values, each id at most once. */
final class FeatureRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FeatureRecords() {}

    static Map<String, double[]> read(String bootstrap, String topic) throws IOException {
        Map<String, double[]> features = new HashMap<>();
        for (var record : CommittedRecords.readAll(bootstrap, topic, Duration.ofSeconds(60))) {
            JsonNode values = JSON.readTree(record.value()).path("values");
            double[] v = new double[values.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = values.get(i).doubleValue();
            }
            String id = new String(record.key(), StandardCharsets.UTF_8);
            assertThat(features.put(id, v)).as("event %s served twice", id).isNull();
        }
        return features;
    }
}
