package io.loopline.jobs.backfill;

/** Receives the backfill's progress; the CLI prints it, tests ignore it. */
public interface BackfillProgress {
    BackfillProgress NONE = (pass, events, seconds, expected) -> {};

    /**
     * @param pass e.g. "pass 1/2 (fit)"
     * @param eventsRead events read so far in this pass
     * @param seconds since the pass started
     * @param expected events expected in total, or -1 when unknown
     */
    void update(String pass, long eventsRead, double seconds, long expected);
}
