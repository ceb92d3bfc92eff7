package io.loopline.state.records;

import java.util.Arrays;
import java.util.Optional;

/**
 * What the learning loop did, as the {@code statistic} of a {@link MonitoringReport} on the drift
 * topic: the trainers write them, the evaluate command, the demo and users' dashboards read them.
 */
public enum LearningEvent {
    /** A retraining started (subject: cause and detail). */
    RETRAIN_TRIGGERED("retrain_triggered"),
    /** A drift trigger was admitted and waits for labelled examples after its change point. */
    RETRAIN_AWAITING("retrain_awaiting"),
    /** A version now serves (value: its gain over the champion). */
    CHALLENGER_PROMOTED("challenger_promoted"),
    /** A challenger or snapshot was not promoted; the champion stays. */
    CHALLENGER_REJECTED("challenger_rejected"),
    /** A challenger passed its holdout and runs as a shadow. */
    CHALLENGER_SHADOWED("challenger_shadowed"),
    /** A promoted version was rolled back to its predecessor's weights. */
    ROLLBACK("rollback"),
    /** The online learner raised its learning rate after a change point. */
    LEARNING_RATE_BOOST("learning_rate_boost");

    private final String wireName;

    LearningEvent(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether {@code statistic} (read from a report) is this event. */
    public boolean is(String statistic) {
        return wireName.equals(statistic);
    }

    /** The event a report's statistic names, if it is one. */
    public static Optional<LearningEvent> of(String statistic) {
        return Arrays.stream(values()).filter(e -> e.wireName.equals(statistic)).findFirst();
    }
}
