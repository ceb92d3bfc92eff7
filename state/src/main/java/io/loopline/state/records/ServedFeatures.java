package io.loopline.state.records;

import java.util.Objects;

/**
 * One line of the feature log, the training data of record: the features exactly as they were
 * served, and the prediction the serving model made from them.
 */
public record ServedFeatures(FeatureVector features, String model, long modelVersion, double score, long servedAt) {

    public ServedFeatures {
        Objects.requireNonNull(features, "features");
    }
}
