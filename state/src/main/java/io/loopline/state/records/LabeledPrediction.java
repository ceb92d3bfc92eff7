package io.loopline.state.records;

import java.util.Objects;

/**
 * A served prediction with the label that arrived for it: one prequential example, evaluated with
 * the prediction that was actually served, and a training row with the features as they were served.
 *
 * @param defaulted true when no label arrived within the feedback window and the configured
 *     default (natural) label was applied
 */
public record LabeledPrediction(ServedFeatures served, double label, long labelTime, boolean defaulted) {

    public LabeledPrediction {
        Objects.requireNonNull(served, "served");
    }
}
