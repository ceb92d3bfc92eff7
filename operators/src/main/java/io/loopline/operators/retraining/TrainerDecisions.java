package io.loopline.operators.retraining;

import io.loopline.operators.drift.detectors.DetectorName;
import io.loopline.operators.retraining.RetrainTriggers.Cause;
import io.loopline.operators.retraining.RetrainTriggers.Outcome;
import io.loopline.operators.retraining.RetrainTriggers.Trigger;
import io.loopline.operators.retraining.TrainerState.DriftWait;
import io.loopline.operators.retraining.TrainerState.Probation;
import io.loopline.operators.retraining.TrainerState.ShadowTrial;
import io.loopline.operators.retraining.TrainerState.VersionAccuracy;
import io.loopline.state.records.MonitoringReport;
import io.loopline.state.records.ReportSubject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The continual trainer's decisions, without Flink and without a model store: which trigger starts a
 * retraining, when a drift trigger has waited long enough, what a judged challenger becomes, when a
 * shadow is promoted, rejected or abandoned, and when a promoted version is rolled back. Each input
 * (a labelled example, a report of the evaluation, the clock, a finished run) may return
 * {@link Action}s; the operator carries them out (trains, publishes, announces, reports) and tells the
 * state machine the version numbers the model store gave ({@link #championIs}).
 *
 * <p>Not thread-safe; one instance per trainer. {@link #state()} is the checkpointed form.
 */
final class TrainerDecisions {
    /** Live accuracies kept for versions that may still become a rollback target. */
    static final int REMEMBERED_VERSIONS = 4;

    /** What the state machine needs to know of the model store. */
    interface ModelVersions {
        /** The newest version in the store (a shadow included). */
        long latest() throws Exception;

        /** The version's validation value of {@code metric} (its reference for decay), NaN if unknown. */
        double reference(long version, String metric) throws Exception;
    }

    /** Something for the operator to do. */
    sealed interface Action {}

    /** A trigger was refused: count it. */
    record Refused(Trigger trigger, Outcome outcome) implements Action {}

    /** A drift trigger was admitted and waits for {@code examples} labelled examples after its change point. */
    record AwaitExamples(Trigger trigger, long examples) implements Action {}

    /**
     * Train a challenger: on the examples buffered from {@code since} (event time) on, or on the whole
     * buffer ({@link Long#MIN_VALUE}). {@code admittedNow} is false after a drift wait (admitted then).
     */
    record Train(Trigger trigger, long since, boolean admittedNow) implements Action {
        boolean onWholeBuffer() {
            return since == Long.MIN_VALUE;
        }
    }

    /**
     * The shadow's verdict. Promoted: announce it as champion (it is now on probation). Rejected: end
     * its trial and publish the champion's weights again as the newest version, then report that
     * version with {@link #championIs}.
     */
    record ShadowVerdict(ShadowTrial trial, boolean promote, double live, double championLive, String reason, long time) implements Action {}

    /** The shadow's champion no longer serves: end the trial without a verdict. */
    record ShadowAbandoned(ShadowTrial trial, String why, long time) implements Action {}

    /**
     * Roll {@code probation.version()} back to its predecessor's weights (published again as a new
     * version, marked so that a later rollback does not return to {@code shadowToRetire} if it is not
     * -1), then report that version with {@link #championIs}.
     */
    record RollBack(Probation probation, MonitoringReport report, long shadowToRetire) implements Action {}

    /** A promoted version kept its live accuracy: it is no longer on probation. */
    record ProbationPassed(Probation probation, double live) implements Action {}

    private final TrainerSettings settings;
    private final ModelVersions versions;
    private final RetrainTriggers triggers;
    private final Map<Long, Double> lastAccuracy = new LinkedHashMap<>();
    private long seen;
    private long buffered;
    private long trainingRows;
    private long promoted;
    private long rejected;
    private long rolledBack;
    private long championVersion;
    private Probation probation;
    private ShadowTrial shadow;
    private ShadowComparison comparison;
    private DriftWait driftWait;
    private boolean training;
    /** The newest labelled example's event time: the time of decisions made on the clock. Not checkpointed. */
    private long latestEventTime = Long.MIN_VALUE;

    private TrainerDecisions(TrainerSettings settings, ModelVersions versions) {
        this.settings = settings;
        this.versions = versions;
        this.triggers = new RetrainTriggers(settings.policy());
    }

    /** Continues from a checkpointed state; {@code training} says whether a challenger run was checkpointed too. */
    static TrainerDecisions restore(TrainerSettings settings, ModelVersions versions, TrainerState state, boolean training) {
        TrainerDecisions d = new TrainerDecisions(settings, versions);
        d.seen = state.seen();
        d.buffered = state.buffered();
        d.trainingRows = state.trainingRows();
        d.promoted = state.promoted();
        d.rejected = state.rejected();
        d.rolledBack = state.rolledBack();
        d.championVersion = state.championVersion();
        d.triggers.restore(state.triggers());
        state.lastAccuracy().forEach(a -> d.lastAccuracy.put(a.version(), a.accuracy()));
        d.probation = state.probation();
        d.shadow = state.shadow();
        d.comparison = d.shadow == null ? null : ShadowComparison.restore(d.shadow.tally());
        d.driftWait = state.driftWait();
        d.training = training;
        return d;
    }

    TrainerState state() {
        List<VersionAccuracy> accuracies = new ArrayList<>();
        lastAccuracy.forEach((version, accuracy) -> accuracies.add(new VersionAccuracy(version, accuracy)));
        ShadowTrial trial = shadow == null ? null
                : new ShadowTrial(shadow.version(), shadow.champion(), shadow.seenAtStart(), shadow.deadline(), comparison.state());
        return new TrainerState(seen, buffered, trainingRows, promoted, rejected, rolledBack, championVersion, triggers.state(), accuracies, probation,
                trial, driftWait);
    }

    /** A labelled example at event time {@code time}; {@code bufferGrew} when it took a new slot rather than an old example's. */
    List<Action> onExample(long time, boolean bufferGrew) throws Exception {
        if (bufferGrew) {
            buffered++;
        }
        seen++;
        latestEventTime = Math.max(latestEventTime, time);
        if (driftWait != null && seen - driftWait.seenAtTrigger() >= settings.policy().afterDriftExamples()) {
            Trigger trigger = new Trigger(Cause.DRIFT, driftWait.detector().wireName(), driftWait.changePoint());
            driftWait = null;
            training = true;
            return List.of(new Train(trigger, trigger.time(), false));
        }
        return consider(triggers.onExample(time));
    }

    /** A report of the evaluation (the served model's and a shadow's metrics and change points). */
    List<Action> onReport(MonitoringReport report) throws Exception {
        List<Action> actions = new ArrayList<>();
        String subject = report.subject();
        boolean accuracy = report.statistic().equals("accuracy");
        if (subject.startsWith(ReportSubject.SHADOW.wireName())) {
            // A shadow is never the champion: its reports must not move the champion on.
            if (shadow != null && ReportSubject.SHADOW.isTimeWindowsOf(subject) && accuracy && report.modelVersion() == shadow.version()) {
                comparison.shadow(report.windowStart(), report.value(), report.count());
                judgeShadowIfDue(report.windowEnd(), actions);
            }
            return actions;
        }
        if (shadow != null && ReportSubject.MODEL.isTimeWindowsOf(subject) && accuracy && report.modelVersion() == shadow.champion()) {
            comparison.champion(report.windowStart(), report.value(), report.count());
            judgeShadowIfDue(report.windowEnd(), actions);
        }
        if (shadow != null && report.modelVersion() > shadow.champion()) {
            // A newer version serves (a manual promotion): the trial compares with a champion that is gone.
            actions.add(abandonShadow("v" + report.modelVersion() + " serves now", report.windowEnd()));
        }
        if (report.modelVersion() > championVersion) {
            championVersion = Math.max(championVersion, versions.latest());
        }
        if (ReportSubject.ERRORS.is(subject) && report.modelVersion() == championVersion) {
            actions.addAll(consider(triggers.onDetector(report.statistic(), report.windowEnd())));
        } else if (ReportSubject.MODEL.is(subject) && accuracy) {
            rememberAccuracy(report.modelVersion(), report.value());
            if (probation != null && report.modelVersion() == probation.version() && report.count() >= settings.rollbackMinExamples()) {
                List<Action> judged = judgeProbation(report);
                actions.addAll(judged);
                if (judged.stream().anyMatch(RollBack.class::isInstance)) {
                    return actions; // the report is about a version that no longer serves: it decays nothing
                }
            }
        }
        String decayMetric = settings.policy().decayMetric();
        if (ReportSubject.MODEL.is(subject) && report.statistic().equals(decayMetric) && report.modelVersion() == championVersion) {
            actions.addAll(consider(triggers.onMetric(decayMetric, report.value(), versions.reference(championVersion, decayMetric), report.windowEnd())));
        }
        return actions;
    }

    /** The processing-time clock: a shadow without a verdict by its deadline is rejected. */
    List<Action> onClock(long now) {
        if (shadow == null || now < shadow.deadline()) {
            return List.of();
        }
        return List.of(endShadow(false, Double.NaN, Double.NaN, "no live verdict within " + Duration.ofMillis(settings.gate().shadowTimeoutMillis())
                + " (is the learning job reading the shadow log?)", latestEventTime));
    }

    /** A run could not start (no version in the store to start from): training is open again. */
    void runNotStarted() {
        training = false;
    }

    /**
     * A finished run was judged on its holdout. {@code version} is the published challenger's if it
     * passed, else the champion's. Returns the shadow trial it started, or null.
     *
     * @param deadline processing time by which a shadow must have its live verdict
     */
    ShadowTrial challengerJudged(boolean passed, long version, long champion, long rowsProcessed, long deadline) {
        training = false;
        trainingRows += rowsProcessed;
        if (passed && settings.gate().hasShadowStage()) {
            shadow = new ShadowTrial(version, champion, seen, deadline, TrainerState.ShadowTally.EMPTY);
            comparison = new ShadowComparison();
            return shadow;
        }
        if (passed) {
            promote(version, champion, lastAccuracy.getOrDefault(champion, Double.NaN));
        } else {
            rejected++;
        }
        return null;
    }

    /** The store gave the champion this version (a republished one after a rejected shadow or a rollback). */
    void championIs(long version) {
        championVersion = version;
    }

    private void promote(long version, long previous, double previousAccuracy) {
        probation = Double.isNaN(settings.rollbackMargin()) ? null : new Probation(version, previous, previousAccuracy);
        championVersion = version;
        promoted++;
    }

    private List<Action> consider(Trigger trigger) {
        if (trigger == null) {
            return List.of();
        }
        Outcome outcome = triggers.offer(trigger, training || shadow != null || driftWait != null, buffered);
        if (outcome != Outcome.ADMITTED) {
            return List.of(new Refused(trigger, outcome));
        }
        long wait = settings.policy().afterDriftExamples();
        if (trigger.cause() == Cause.DRIFT && wait > 0) {
            driftWait = new DriftWait(DetectorName.of(trigger.detail()).orElseThrow(), trigger.time(), seen);
            return List.of(new AwaitExamples(trigger, wait));
        }
        training = true;
        return List.of(new Train(trigger, Long.MIN_VALUE, true));
    }

    private void rememberAccuracy(long version, double value) {
        lastAccuracy.remove(version);
        lastAccuracy.put(version, value);
        while (lastAccuracy.size() > REMEMBERED_VERSIONS) {
            lastAccuracy.remove(lastAccuracy.keySet().iterator().next());
        }
    }

    /** Judges the shadow once the windows compared with the champion hold enough of its examples. */
    private void judgeShadowIfDue(long time, List<Action> actions) {
        if (comparison.shadowExamples() < settings.gate().shadowExamples()) {
            return;
        }
        double live = comparison.shadowAccuracy();
        double champion = comparison.championAccuracy();
        boolean promote = live >= champion + settings.gate().shadowMargin();
        actions.add(endShadow(promote, live, champion, String.format(Locale.ROOT, "live accuracy %.4f vs champion %.4f on the same %d events (needs %+.4f)",
                live, champion, comparison.shadowExamples(), settings.gate().shadowMargin()), time));
    }

    private ShadowVerdict endShadow(boolean promote, double live, double championLive, String reason, long time) {
        ShadowTrial trial = shadow;
        shadow = null;
        comparison = null;
        if (promote) {
            promote(trial.version(), trial.champion(), championLive);
        } else {
            rejected++;
        }
        return new ShadowVerdict(trial, promote, live, championLive, reason, time);
    }

    private ShadowAbandoned abandonShadow(String why, long time) {
        ShadowTrial trial = shadow;
        shadow = null;
        comparison = null;
        rejected++;
        return new ShadowAbandoned(trial, why, time);
    }

    private List<Action> judgeProbation(MonitoringReport report) {
        Probation watched = probation;
        probation = null;
        if (Double.isNaN(watched.previousAccuracy()) || report.value() >= watched.previousAccuracy() - settings.rollbackMargin()) {
            return List.of(new ProbationPassed(watched, report.value()));
        }
        if (championVersion != watched.version()) {
            return List.of(); // replaced meanwhile (a manual promotion): nothing to roll back
        }
        List<Action> actions = new ArrayList<>();
        actions.add(new RollBack(watched, report, shadow == null ? -1 : shadow.version()));
        if (shadow != null) {
            actions.add(abandonShadow("its champion v" + watched.version() + " was rolled back", report.windowEnd()));
        }
        triggers.admitted(report.windowEnd());
        rolledBack++;
        return actions;
    }

    long seen() {
        return seen;
    }

    long buffered() {
        return buffered;
    }

    long championVersion() {
        return championVersion;
    }

    /** The shadow on trial, or null. */
    ShadowTrial shadow() {
        return shadow;
    }

    boolean training() {
        return training;
    }

    /** Examples still awaited after an admitted drift trigger's change point (0 when none waits). */
    long awaitedExamples() {
        return driftWait == null ? 0 : Math.max(0, driftWait.seenAtTrigger() + settings.policy().afterDriftExamples() - seen);
    }

    boolean awaitingDriftExamples() {
        return driftWait != null;
    }

    /** The event time of the change point an armed drift trigger waits after; {@link Long#MIN_VALUE} when none waits. */
    long awaitedSince() {
        return driftWait == null ? Long.MIN_VALUE : driftWait.changePoint();
    }

    /** Examples seen, buffered, training rows processed, promotions, rejections, rollbacks. */
    long[] counters() {
        return new long[] {seen, buffered, trainingRows, promoted, rejected, rolledBack};
    }

    /** The last live accuracy of {@code version}, NaN if none was reported. */
    double lastAccuracy(long version) {
        return lastAccuracy.getOrDefault(version, Double.NaN);
    }
}
