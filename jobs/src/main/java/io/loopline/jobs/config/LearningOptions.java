package io.loopline.jobs.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/** The learning job's label join, evaluation and drift statistics. */
public final class LearningOptions {
    public static final ConfigOption<Duration> FEEDBACK_WINDOW = key("learning.feedback-window").durationType().defaultValue(Duration.ofMinutes(30))
            .withDescription("Event time a label may come after its prediction.");
    public static final ConfigOption<Double> DEFAULT_LABEL = key("learning.default-label").doubleType().noDefaultValue()
            .withDescription("The label of an event whose feedback window closes without one (natural labels); none when not set.");
    public static final ConfigOption<Duration> OUT_OF_ORDERNESS = key("learning.out-of-orderness").durationType().defaultValue(Duration.ofSeconds(5))
            .withDescription("How far the feature log and labels may be out of order in event time.");
    public static final ConfigOption<Duration> LABELS_IDLE_AFTER = key("learning.labels-idle-after").durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription("Labels hold the join's event time back until a labels subtask has sent nothing for this long.");
    public static final ConfigOption<Integer> EVALUATION_WINDOW = key("learning.evaluation-window").intType().defaultValue(1000)
            .withDescription("Labelled examples per rolling evaluation of a model version.");
    public static final ConfigOption<Integer> EVALUATION_SLIDE = key("learning.evaluation-slide").intType().defaultValue(250)
            .withDescription("The rolling evaluation reports every this many examples.");
    public static final ConfigOption<Duration> DRIFT_WINDOW = key("learning.drift-window").durationType().defaultValue(Duration.ofMinutes(1))
            .withDescription("Event-time window of the drift statistics against the reference profile.");

    private LearningOptions() {}
}
