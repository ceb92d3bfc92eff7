package io.loopline.operators.retraining;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * The retraining policy's memory: offers of a trigger (a detector fired, a metric decayed, enough
 * new examples, the schedule came round) are admitted or refused with a reason. Refusals do not
 * reset anything, so the next offer after a cool-down gets through. Plain Java; the trainer keeps
 * its {@link #state()} in its {@link TrainerState}.
 */
public final class RetrainTriggers {

    /** Why a retraining started. */
    public enum Cause {
        DRIFT, DECAY, VOLUME, SCHEDULE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Why an offer was refused; {@code ADMITTED} when it was not. */
    public enum Outcome {
        ADMITTED, COOLING_DOWN, RATE_LIMITED, TRAINING, TOO_FEW_EXAMPLES;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** A cause with its detail (which detector, which metric and value) at an event time. */
    public record Trigger(Cause cause, String detail, long time) {}

    private final RetrainPolicy policy;
    private long lastAdmitted = Long.MIN_VALUE;
    private long examplesSinceAdmitted;
    private long nextScheduled = Long.MIN_VALUE;
    private final Deque<Long> recent = new ArrayDeque<>();

    public RetrainTriggers(RetrainPolicy policy) {
        this.policy = policy;
    }

    /** A labelled example arrived: maybe a volume or a schedule trigger. */
    public Trigger onExample(long time) {
        examplesSinceAdmitted++;
        if (policy.scheduled()) {
            long period = policy.schedule().toMillis();
            if (nextScheduled == Long.MIN_VALUE) {
                nextScheduled = Math.floorDiv(time, period) * period + period;
            } else if (time >= nextScheduled) {
                nextScheduled = Math.floorDiv(time, period) * period + period;
                return new Trigger(Cause.SCHEDULE, "every " + policy.schedule(), time);
            }
        }
        if (policy.everyExamples() > 0 && examplesSinceAdmitted >= policy.everyExamples()) {
            return new Trigger(Cause.VOLUME, examplesSinceAdmitted + " new labelled examples", time);
        }
        return null;
    }

    /** A detector reported a change point in the champion's error stream. */
    public Trigger onDetector(String detector, long time) {
        return policy.onDetectors().contains(detector) ? new Trigger(Cause.DRIFT, detector, time) : null;
    }

    /** A rolling metric of the champion: a decay trigger if it is worse than the reference by more than the margin. */
    public Trigger onMetric(String metric, double value, double reference, long time) {
        if (Double.isNaN(policy.decayMargin()) || !metric.equals(policy.decayMetric()) || Double.isNaN(value) || Double.isNaN(reference)) {
            return null;
        }
        double loss = -GateMetric.improvement(metric, reference, value);
        if (loss > policy.decayMargin()) {
            return new Trigger(Cause.DECAY, String.format(Locale.ROOT, "%s %.4f vs reference %.4f", metric, value, reference), time);
        }
        return null;
    }

    /** Admits a trigger unless training is running, it is too early, too frequent or there is too little data. */
    public Outcome offer(Trigger trigger, boolean training, long bufferedExamples) {
        if (training) {
            return Outcome.TRAINING;
        }
        if (lastAdmitted != Long.MIN_VALUE && (trigger.time() < lastAdmitted + policy.cooldown().toMillis()
                || examplesSinceAdmitted < policy.cooldownExamples())) {
            return Outcome.COOLING_DOWN;
        }
        while (!recent.isEmpty() && recent.peekFirst() <= trigger.time() - policy.rateWindow().toMillis()) {
            recent.pollFirst();
        }
        if (recent.size() >= policy.maxRetrains()) {
            return Outcome.RATE_LIMITED;
        }
        if (bufferedExamples < policy.minExamples()) {
            return Outcome.TOO_FEW_EXAMPLES;
        }
        admitted(trigger.time());
        return Outcome.ADMITTED;
    }

    /** Something else (a rollback) changed the champion at this time: the cool-down starts again. */
    public void admitted(long time) {
        lastAdmitted = time;
        examplesSinceAdmitted = 0;
        recent.addLast(time);
        while (recent.size() > policy.maxRetrains()) {
            recent.pollFirst();
        }
    }

    /** The memory to checkpoint. */
    public TrainerState.TriggerMemory state() {
        return new TrainerState.TriggerMemory(lastAdmitted, examplesSinceAdmitted, nextScheduled, List.copyOf(recent));
    }

    public void restore(TrainerState.TriggerMemory memory) {
        lastAdmitted = memory.lastAdmitted();
        examplesSinceAdmitted = memory.examplesSinceAdmitted();
        nextScheduled = memory.nextScheduled();
        recent.clear();
        recent.addAll(memory.recentAdmissions());
    }
}
