package io.loopline.operators.drift.detectors;

/**
 * A sequential change detector over a stream of numbers (usually the per-example error: 1 wrong,
 * 0 right). {@link #add} returns true on the input at which a change is signalled, with the same
 * semantics as MOA's {@code getChange()} after {@code input()}.
 */
public interface ChangeDetector {
    /** Feeds one value; true if a change is detected at this input. */
    boolean add(double value);

    /** The detector's current estimate of the stream's mean. */
    double estimation();

    /** The detector's whole state as numbers, for Flink state (no Java serialization); {@link #restore} reads it back. */
    double[] state();

    /** Continues from a {@link #state()} of the same kind of detector with the same parameters. */
    void restore(double[] state);

    /** True while the detector is in its warning zone (DDM); false for detectors without one. */
    default boolean warning() {
        return false;
    }
}
