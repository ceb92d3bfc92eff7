package io.loopline.state.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a caller knows about a model it wants to publish; the store adds the version, the checksum,
 * the size and the time.
 *
 * @param name model name (letters, digits, '.', '_', '-')
 * @param parent the version this one was trained from, or null
 * @param format how the artifact is encoded, e.g. {@code dl4j-multilayer-zip}
 * @param featureSpec name of the feature spec the model reads
 * @param featureNames the spec's ordered columns; their count is the input dimension
 * @param trainedFrom first event time of the training data, or null
 * @param trainedTo last event time of the training data, or null
 * @param trainingRows rows the model was trained on
 * @param metrics evaluation metrics by name
 */
public record ModelDraft(String name, Long parent, String format, String featureSpec, List<String> featureNames, Instant trainedFrom,
        Instant trainedTo, long trainingRows, Map<String, Double> metrics) {

    public ModelDraft {
        ModelMetadata.requireValidName(name);
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(featureSpec, "featureSpec");
        featureNames = List.copyOf(featureNames);
        metrics = Map.copyOf(metrics);
        if (trainingRows < 0) {
            throw new IllegalArgumentException("trainingRows must be >= 0, got " + trainingRows);
        }
    }
}
