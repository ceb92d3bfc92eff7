package io.loopline.state.records;

/**
 * A served prediction: which event, which entity, the score, the model version that made it, and
 * the event's label when it already had one.
 */
public record Prediction(String eventId, String entity, long eventTime, double score, String model, long modelVersion, double label,
        long servedAt) {
}
