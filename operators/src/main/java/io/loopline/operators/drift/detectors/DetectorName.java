package io.loopline.operators.drift.detectors;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The change detectors by the name they have everywhere outside the JVM: configuration
 * ({@code retrain.on-drift}), the {@code statistic} of an {@code error} report on the drift topic,
 * and metric labels. One list, so the evaluation that reports a change point and the trainer that
 * acts on it cannot disagree about a name.
 */
public enum DetectorName {
    ADWIN("adwin"),
    PAGE_HINKLEY("page-hinkley"),
    DDM("ddm");

    private final String wireName;

    DetectorName(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The detector of that name (any case), if there is one. */
    public static Optional<DetectorName> of(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(d -> d.wireName.equals(wanted)).findFirst();
    }

    /** "adwin, page-hinkley or ddm", for errors that say what is allowed. */
    public static String choices() {
        return ADWIN.wireName + ", " + PAGE_HINKLEY.wireName + " or " + DDM.wireName;
    }
}
