package io.loopline.replay;

import java.util.List;
import java.util.Map;

/**
 * What {@code loopline evaluate} measured on one run of the whole system over a labelled file.
 *
 * @param rows rows served and scored after the warm-up
 * @param accuracy prequential accuracy of the served predictions (score >= 0.5 vs the true label)
 * @param noChangeAccuracy the no-change baseline the system can reach: each row predicted by the newest label known when it is
 *     served (with a delay of N rows, the label of the row N + 1 before it)
 * @param noChangeImmediateAccuracy each row predicted by the previous row's label, as published results with immediate labels do
 * @param kappaTemporal (accuracy - noChangeAccuracy) / (1 - noChangeAccuracy): above 0 beats no-change
 * @param modelsPromoted challengers promoted by the gate
 * @param challengersRejected challengers the gate rejected (on the holdout, or live in the shadow stage)
 * @param challengersShadowed challengers that passed the holdout and went on as a shadow (with the gate's shadow stage)
 * @param rollbacks automatic rollbacks
 * @param trainingRows rows fed to gradient steps by the continual trainer (a row counts once per epoch)
 * @param driftsDetected change points reported by the detectors on the served model's errors
 * @param predictionsByVersion predictions per model version
 * @param served each scored row in replay order: whether its prediction was right, and the version that made it (not in the JSON)
 */
public record EvaluationResult(String policy, long rows, double accuracy, double noChangeAccuracy, double noChangeImmediateAccuracy, double kappaTemporal, long modelsPromoted,
        long challengersRejected, long challengersShadowed, long rollbacks, long trainingRows, long driftsDetected, long warmupRows, long initialTrainingRows,
        Map<Long, Long> predictionsByVersion, double replaySeconds, double wallSeconds, List<Served> served) {

    /** One scored row. */
    public record Served(boolean correct, long version) {}

    /** Accuracy of the served predictions over rows {@code from} (inclusive) to {@code to} (exclusive) of {@link #served}. */
    public double accuracy(int from, int to) {
        long right = served.subList(from, to).stream().filter(Served::correct).count();
        return (double) right / (to - from);
    }

    public String toJson() {
        return new String(io.loopline.kafka.Json.object(json -> {
            json.writeStringField("policy", policy);
            json.writeNumberField("rows", rows);
            json.writeNumberField("accuracy", accuracy);
            json.writeNumberField("no_change_accuracy", noChangeAccuracy);
            json.writeNumberField("no_change_immediate_accuracy", noChangeImmediateAccuracy);
            json.writeNumberField("kappa_temporal", kappaTemporal);
            json.writeNumberField("models_promoted", modelsPromoted);
            json.writeNumberField("challengers_rejected", challengersRejected);
            json.writeNumberField("challengers_shadowed", challengersShadowed);
            json.writeNumberField("rollbacks", rollbacks);
            json.writeNumberField("training_rows", trainingRows);
            json.writeNumberField("drifts_detected", driftsDetected);
            json.writeNumberField("warmup_rows", warmupRows);
            json.writeNumberField("initial_training_rows", initialTrainingRows);
            json.writeObjectFieldStart("predictions_by_version");
            for (var e : predictionsByVersion.entrySet()) {
                json.writeNumberField(String.valueOf(e.getKey()), e.getValue());
            }
            json.writeEndObject();
            json.writeNumberField("replay_seconds", replaySeconds);
            json.writeNumberField("wall_seconds", wallSeconds);
        }), java.nio.charset.StandardCharsets.UTF_8);
    }
}
