package io.loopline.demo;

import java.util.Map;

/**
 * The result of a demo run, as counted by a read_committed consumer.
 *
 * @param produced events written to the events topic (valid + malformed)
 * @param historyRows training rows the backfill wrote from the history
 * @param committedFeatures feature records committed (duplicates included)
 * @param distinctFeatures distinct event ids among them
 * @param committedPredictions prediction records committed (duplicates included)
 * @param distinctPredictions distinct event ids among them
 * @param predictionsByVersion how many predictions each model version made
 * @param eventsPerSecond committed outputs per second of job time
 * @param chargebacks labels (1) written for fraudulent events
 * @param detections change points per detector, as read from the drift topic
 * @param driftedFeatures features whose PSI crossed the alert threshold, with the first such PSI
 * @param accuracyByVersion the latest rolling accuracy per model version
 * @param promotions challengers the trainer promoted, with their cause and gain
 * @param accuracyBeforeDrift mean accuracy of the event-time windows before the injected drift
 * @param accuracyAfterDrift of the windows after it, served by the version serving at the drift, until a promotion
 * @param accuracyAfterPromotion of the windows served by the newest version promoted after the drift
 * @param recoveryMillis event time from the drift until versions promoted after it made half of a bucket's predictions; -1 if they never did
 * @param steadyP50LatencyMillis end-to-end latency of the events sent after {@code latencyWarmUp} of the live run (NaN if none)
 * @param cpu how busy the machine was during the live run, and who kept it busy; null where /proc is not there
 */
public record DemoSummary(
        long historyRows,
        long produced,
        long validProduced,
        long malformedProduced,
        long committedFeatures,
        long distinctFeatures,
        long committedPredictions,
        long distinctPredictions,
        Map<Long, Long> predictionsByVersion,
        long deadLetters,
        Map<String, Long> deadLettersByReason,
        double seconds,
        double eventsPerSecond,
        boolean complete,
        long chargebacks,
        Map<String, Long> detections,
        Map<String, Double> driftedFeatures,
        java.util.List<String> differentFromHistory,
        Map<Long, Double> accuracyByVersion,
        java.util.List<String> promotions,
        long rejections,
        double accuracyBeforeDrift,
        double accuracyAfterDrift,
        double accuracyAfterPromotion,
        java.nio.file.Path report,
        String predictionsDelivery,
        double p50LatencyMillis,
        double p99LatencyMillis,
        long recoveryMillis,
        double steadyP50LatencyMillis,
        double steadyP99LatencyMillis,
        java.time.Duration latencyWarmUp,
        MachineCpu.Usage cpu) {

    public long duplicates() {
        return committedFeatures - distinctFeatures;
    }

    public long missing() {
        return Math.max(0, validProduced - distinctFeatures);
    }

    /** Dead letters of the serving job: malformed events (the learning job's rejected labels are counted apart). */
    public long servingDeadLetters() {
        return deadLettersByReason.entrySet().stream().filter(e -> isServingReason(e.getKey())).mapToLong(Map.Entry::getValue).sum();
    }

    /** A dead letter of the serving job (an event), not of the learning job (a label or a feature-log line). */
    static boolean isServingReason(String reason) {
        return !reason.startsWith("label-") && !reason.equals("malformed-label") && !reason.equals("malformed-feature-log");
    }

    /** Every valid event's features and prediction committed exactly once, every malformed one dead-lettered. */
    public boolean exactlyOnce() {
        return complete && duplicates() == 0 && missing() == 0 && servingDeadLetters() == malformedProduced
                && committedPredictions == validProduced && distinctPredictions == validProduced;
    }
}
