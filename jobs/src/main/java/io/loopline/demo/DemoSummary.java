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
        boolean complete) {

    public long duplicates() {
        return committedFeatures - distinctFeatures;
    }

    public long missing() {
        return Math.max(0, validProduced - distinctFeatures);
    }

    /** Every valid event's features and prediction committed exactly once, every malformed one dead-lettered. */
    public boolean exactlyOnce() {
        return complete && duplicates() == 0 && missing() == 0 && deadLetters == malformedProduced
                && committedPredictions == validProduced && distinctPredictions == validProduced;
    }
}
