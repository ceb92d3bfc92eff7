package io.loopline.state.records;

/**
 * The fixed subjects of a {@link MonitoringReport}, by their name on the drift topic. The other
 * subjects are a feature's name, a slice ({@code model[merchant=travel]}) or what a learning event
 * is about ({@code stateful/drift}, {@code v3}). Reports of one event-time window carry the subject
 * with {@code /time} appended ({@link #timeWindows()}).
 */
public enum ReportSubject {
    /** The served model's rolling metrics over the last examples. */
    MODEL("model"),
    /** A shadow version's rolling metrics; also the subject of a shadow's verdict. */
    SHADOW("shadow"),
    /** A change point in the served model's errors; the statistic names the detector. */
    ERRORS("error"),
    /** A change point in a shadow's errors. */
    SHADOW_ERRORS("shadow/error"),
    /** Drift of the predictions against the reference profile. */
    PREDICTION("prediction"),
    /** Drift of the labels against the reference profile. */
    LABEL("label"),
    /** A challenger's holdout metric. */
    CHALLENGER("challenger"),
    /** The champion's holdout metric on the same rows. */
    CHAMPION("champion");

    private static final String TIME_WINDOWS = "/time";

    private final String wireName;

    ReportSubject(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The subject of this one's reports per event-time window, e.g. {@code model/time}. */
    public String timeWindows() {
        return wireName + TIME_WINDOWS;
    }

    /** Whether {@code subject} (read from a report) is this one. */
    public boolean is(String subject) {
        return wireName.equals(subject);
    }

    /** Whether {@code subject} is this one's per-window subject. */
    public boolean isTimeWindowsOf(String subject) {
        return subject.length() == wireName.length() + TIME_WINDOWS.length() && subject.startsWith(wireName) && subject.endsWith(TIME_WINDOWS);
    }
}
