package io.loopline.state.records;

/**
 * The label join's state for one event id, in one value (one state read and write per record):
 * the served prediction once it arrived, a label waiting for it or for its window to close, and the
 * phase: {@link #OPEN}, {@link #JOINED} (labelled), {@link #CLOSED} (window closed).
 */
public record JoinEntry(ServedFeatures prediction, Label label, int phase) {
    public static final int OPEN = 0;
    public static final int JOINED = 1;
    public static final int CLOSED = 2;
}
