package io.loopline.state.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A published model version, as stored next to its artifact ({@code metadata.json}) and announced
 * on the {@code models} topic: never the weights, always their SHA-256.
 */
public record ModelMetadata(String name, long version, Long parent, Instant createdAt, String format, String featureSpec,
        List<String> featureNames, Instant trainedFrom, Instant trainedTo, long trainingRows, Map<String, Double> metrics, String sha256,
        long artifactBytes) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ModelMetadata {
        requireValidName(name);
        if (version < 1) {
            throw new IllegalArgumentException("model versions start at 1, got " + version);
        }
        featureNames = List.copyOf(featureNames);
        metrics = Map.copyOf(metrics);
    }

    /** Names become folder names: no separators, no dots first, nothing that could leave the store. */
    static void requireValidName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("model name '" + name + "' must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }

    public int dimension() {
        return featureNames.size();
    }

    public byte[] toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", name).put("version", version);
        if (parent != null) {
            node.put("parent", parent);
        } else {
            node.putNull("parent");
        }
        node.put("createdAt", createdAt.toString()).put("format", format).put("featureSpec", featureSpec).put("dimension", dimension());
        var names = node.putArray("featureNames");
        featureNames.forEach(names::add);
        ObjectNode training = node.putObject("training");
        training.put("from", trainedFrom == null ? null : trainedFrom.toString());
        training.put("to", trainedTo == null ? null : trainedTo.toString());
        training.put("rows", trainingRows);
        ObjectNode metricsNode = node.putObject("metrics");
        new TreeMap<>(metrics).forEach(metricsNode::put);
        node.put("sha256", sha256).put("artifactBytes", artifactBytes);
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws IllegalArgumentException naming the field when the JSON is not valid metadata */
    public static ModelMetadata fromJson(byte[] json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("model metadata is not JSON: " + e.getMessage());
        }
        List<String> names = new ArrayList<>();
        required(node, "featureNames").forEach(n -> names.add(n.asText()));
        Map<String, Double> metrics = new LinkedHashMap<>();
        node.path("metrics").fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
        JsonNode training = node.path("training");
        ModelMetadata m = new ModelMetadata(required(node, "name").asText(), required(node, "version").asLong(),
                node.path("parent").isNumber() ? node.path("parent").asLong() : null, instant(required(node, "createdAt")),
                required(node, "format").asText(), required(node, "featureSpec").asText(), names, instant(training.path("from")),
                instant(training.path("to")), training.path("rows").asLong(), metrics, required(node, "sha256").asText(),
                required(node, "artifactBytes").asLong());
        if (node.has("dimension") && node.path("dimension").asInt() != m.dimension()) {
            throw new IllegalArgumentException("model metadata: dimension " + node.path("dimension").asInt() + " does not match "
                    + m.dimension() + " feature names");
        }
        return m;
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("model metadata: field '" + field + "' is missing");
        }
        return value;
    }

    private static Instant instant(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        try {
            return Instant.parse(node.asText());
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("model metadata: '" + node.asText() + "' is not an ISO-8601 instant");
        }
    }
}
