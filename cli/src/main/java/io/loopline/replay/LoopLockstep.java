package io.loopline.replay;

import io.loopline.jobs.ProgressCounters;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Holds a replay until the embedded learning loop has caught up with it, read from the job's own
 * Flink metrics ({@link ProgressCounters}): every label written has reached the trainer (or was
 * discarded by the label join, or belongs to an event serving dropped), no challenger is training,
 * and every scoring subtask serves the trainer's champion (and shadows its shadow). Then the next
 * rows see the model the loop would have on any machine, fast or slow.
 *
 * <p>Only for a loop in this JVM (the MiniCluster of {@code loopline evaluate}); the job must run
 * with the {@link ProgressCounters} reporter.
 */
final class LoopLockstep implements FileReplay.Gate {
    private static final long POLL_MILLIS = 2;
    private static final long REPORT_EVERY_NANOS = 10_000_000_000L;

    private final String jobName;
    private final boolean trainer;
    private final Duration stallTimeout;
    private final java.io.PrintStream log;
    private long waits;
    private long waitedNanos;
    private long lastReport = System.nanoTime();

    /**
     * @param trainer whether the job runs a continual trainer (else labels count once joined)
     * @param stallTimeout how long the loop may make no progress at all before the replay gives up
     */
    LoopLockstep(String jobName, boolean trainer, Duration stallTimeout, java.io.PrintStream log) {
        this.jobName = jobName;
        this.trainer = trainer;
        this.stallTimeout = stallTimeout;
        this.log = log;
    }

    @Override
    public void awaitLabels(long labels) throws InterruptedException {
        long started = System.nanoTime();
        long lastProgress = started;
        String last = "";
        waits++;
        while (true) {
            long reached = reached();
            boolean idle = ProgressCounters.total(jobName, "loopline.training_in_progress") == 0;
            boolean servesChampion = servesChampion();
            if (reached >= labels && (!trainer || idle && servesChampion)) {
                waitedNanos += System.nanoTime() - started;
                if (System.nanoTime() - lastReport > REPORT_EVERY_NANOS) {
                    lastReport = System.nanoTime();
                    log.printf(Locale.ROOT, "  lockstep: %,d labels taken in by the loop, serving v%s%n", reached,
                            ProgressCounters.values(jobName, "loopline.model_version"));
                }
                return;
            }
            String state = String.format(Locale.ROOT, "%d of %d labels reached the trainer, training %s, serving %s (champion %s, shadow %s)",
                    reached, labels, idle ? "idle" : "in progress", ProgressCounters.values(jobName, "loopline.model_version"),
                    ProgressCounters.values(jobName, "loopline.champion_version"), ProgressCounters.values(jobName, "loopline.shadow_version"));
            String progress = state + ProgressCounters.values(jobName, "loopline.challenger_progress");
            if (!progress.equals(last)) {
                last = progress;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > stallTimeout.toNanos()) {
                throw new IllegalStateException("lockstep replay: the learning loop made no progress for " + stallTimeout + ": " + state);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** Labels the loop is done with: taken in by the trainer (or joined, without one), or discarded on the way. */
    private long reached() {
        long taken = trainer ? ProgressCounters.total(jobName, "loopline.examples_seen") : ProgressCounters.total(jobName, "loopline.labels_joined");
        long discarded = ProgressCounters.total(jobName, "loopline.labels_duplicate") + ProgressCounters.total(jobName, "loopline.labels_late")
                + ProgressCounters.total(jobName, "loopline.labels_unknown") + ProgressCounters.total(jobName, "loopline.events_late")
                + ProgressCounters.total(jobName, "loopline.events_duplicate");
        return taken + discarded;
    }

    private boolean servesChampion() {
        List<Long> champion = ProgressCounters.values(jobName, "loopline.champion_version");
        List<Long> serving = ProgressCounters.values(jobName, "loopline.model_version");
        if (champion.size() != 1 || serving.isEmpty() || !serving.stream().allMatch(v -> v.equals(champion.get(0)))) {
            return false;
        }
        List<Long> shadow = ProgressCounters.values(jobName, "loopline.shadow_version");
        long shadowVersion = shadow.isEmpty() ? -1 : shadow.get(0);
        return shadowVersion < 0 || ProgressCounters.values(jobName, "loopline.trial_model_version").stream().allMatch(v -> v == shadowVersion);
    }

    long waits() {
        return waits;
    }

    double waitedSeconds() {
        return waitedNanos / 1e9;
    }
}
