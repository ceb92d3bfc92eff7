package io.loopline.operators.retraining;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.operators.retraining.RetrainTriggers.Cause;
import io.loopline.operators.retraining.RetrainTriggers.Outcome;
import io.loopline.operators.retraining.TrainerDecisions.Action;
import io.loopline.operators.retraining.TrainerDecisions.AwaitExamples;
import io.loopline.operators.retraining.TrainerDecisions.ProbationPassed;
import io.loopline.operators.retraining.TrainerDecisions.Refused;
import io.loopline.operators.retraining.TrainerDecisions.RollBack;
import io.loopline.operators.retraining.TrainerDecisions.ShadowAbandoned;
import io.loopline.operators.retraining.TrainerDecisions.ShadowVerdict;
import io.loopline.operators.retraining.TrainerDecisions.Train;
import io.loopline.state.records.MonitoringReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The trainer's decisions without Flink, a network or a model store: each input and what it makes the operator do. */
class TrainerDecisionsTest {
    private static final RetrainPolicy POLICY = RetrainPolicy.defaults().withDetectors(Set.of("ddm")).withCooldown(Duration.ZERO).withMinExamples(10)
            .withRateLimit(100, Duration.ofHours(1)).withDecay("accuracy", Double.NaN);
    private static final TrainerSettings SETTINGS = TrainerSettings.defaults("m", TrainingMode.STATEFUL, ConceptFlip.NETWORK)
            .withPolicy(POLICY).withRollback(0.05, 100);

    /** The store as the state machine sees it: the newest version, and validation values. */
    private static final class TestingVersions implements TrainerDecisions.ModelVersions {
        long latest = 1;
        double reference = 0.9;

        @Override
        public long latest() {
            return latest;
        }

        @Override
        public double reference(long version, String metric) {
            return reference;
        }
    }

    private final TestingVersions versions = new TestingVersions();

    private TrainerDecisions fresh(TrainerSettings settings) {
        return TrainerDecisions.restore(settings, versions, TrainerState.initial(1), false);
    }

    private static List<Action> examples(TrainerDecisions d, int n, long from) throws Exception {
        List<Action> actions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            actions.addAll(d.onExample(from + i, true));
        }
        return actions;
    }

    private static MonitoringReport report(String statistic, String subject, long version, long time, long count, double value) {
        return new MonitoringReport(statistic, subject, version, time, time, count, value, Double.NaN);
    }

    @Test
    void aDetectorOnTheChampionTrainsOnceThereIsEnoughData() throws Exception {
        TrainerDecisions d = fresh(SETTINGS);
        examples(d, 5, 0);
        assertThat(d.onReport(report("ddm", "error", 1, 5, 5, 0.5))).singleElement().isInstanceOfSatisfying(Refused.class,
                r -> assertThat(r.outcome()).isEqualTo(Outcome.TOO_FEW_EXAMPLES));
        examples(d, 10, 5);
        assertThat(d.onReport(report("adwin", "error", 1, 15, 15, 0.5))).as("a detector not configured").isEmpty();
        assertThat(d.onReport(report("ddm", "error", 7, 15, 15, 0.5))).as("a change in another version's errors").isEmpty();
        List<Action> actions = d.onReport(report("ddm", "error", 1, 15, 15, 0.5));
        assertThat(actions).singleElement().isInstanceOfSatisfying(Train.class, t -> {
            assertThat(t.trigger().cause()).isEqualTo(Cause.DRIFT);
            assertThat(t.onWholeBuffer()).isTrue();
            assertThat(t.admittedNow()).isTrue();
        });
        assertThat(d.training()).isTrue();
        assertThat(d.onReport(report("ddm", "error", 1, 16, 16, 0.5))).singleElement().isInstanceOfSatisfying(Refused.class,
                r -> assertThat(r.outcome()).isEqualTo(Outcome.TRAINING));
    }

    @Test
    void aDriftTriggerWaitsForExamplesAfterItsChangePointAndTrainsOnThose() throws Exception {
        TrainerDecisions d = fresh(SETTINGS.withPolicy(POLICY.withAfterDriftExamples(50)));
        examples(d, 20, 0);
        assertThat(d.onReport(report("ddm", "error", 1, 19, 20, 0.5))).singleElement().isInstanceOf(AwaitExamples.class);
        assertThat(d.awaitedExamples()).isEqualTo(50);
        assertThat(examples(d, 49, 20)).as("still waiting").isEmpty();
        List<Action> actions = d.onExample(69, true);
        assertThat(actions).singleElement().isInstanceOfSatisfying(Train.class, t -> {
            assertThat(t.since()).as("the change point").isEqualTo(19);
            assertThat(t.admittedNow()).as("counted when it was admitted").isFalse();
        });
        assertThat(d.awaitingDriftExamples()).isFalse();
    }

    @Test
    void aDecayOfTheChampionsMetricAgainstItsValidationTriggers() throws Exception {
        TrainerDecisions d = fresh(SETTINGS.withPolicy(POLICY.withDecay("accuracy", 0.05)));
        examples(d, 20, 0);
        assertThat(d.onReport(report("accuracy", "model", 1, 20, 20, 0.86))).as("within the margin").isEmpty();
        assertThat(d.onReport(report("accuracy", "model", 1, 20, 20, 0.84))).singleElement().isInstanceOfSatisfying(Train.class,
                t -> assertThat(t.trigger().cause()).isEqualTo(Cause.DECAY));
    }

    @Test
    void aPromotedChallengerIsOnProbationAndRolledBackWhenItsLiveAccuracyFalls() throws Exception {
        TrainerDecisions d = fresh(SETTINGS);
        d.onReport(report("accuracy", "model", 1, 0, 500, 0.80));
        examples(d, 20, 0);
        d.onReport(report("ddm", "error", 1, 20, 20, 0.5));
        assertThat(d.challengerJudged(true, 2, 1, 1000, Long.MAX_VALUE)).as("no shadow stage").isNull();
        assertThat(d.championVersion()).isEqualTo(2);
        assertThat(d.training()).isFalse();
        assertThat(d.onReport(report("accuracy", "model", 2, 30, 50, 0.10))).as("too few examples to judge").isEmpty();
        List<Action> actions = d.onReport(report("accuracy", "model", 2, 30, 500, 0.70));
        assertThat(actions).singleElement().isInstanceOfSatisfying(RollBack.class, r -> {
            assertThat(r.probation().version()).isEqualTo(2);
            assertThat(r.probation().previous()).isEqualTo(1);
            assertThat(r.probation().previousAccuracy()).isEqualTo(0.80);
            assertThat(r.shadowToRetire()).isEqualTo(-1);
        });
        d.championIs(3);
        assertThat(d.counters()).containsExactly(20, 20, 1000, 1, 0, 1);
        assertThat(d.onReport(report("ddm", "error", 3, 31, 31, 0.5))).as("the rollback restarts the cool-down").isNotEmpty();
    }

    @Test
    void aVersionThatKeepsItsAccuracyPassesProbation() throws Exception {
        TrainerDecisions d = fresh(SETTINGS);
        d.onReport(report("accuracy", "model", 1, 0, 500, 0.80));
        d.challengerJudged(true, 2, 1, 1000, Long.MAX_VALUE);
        assertThat(d.onReport(report("accuracy", "model", 2, 30, 500, 0.76))).singleElement().isInstanceOf(ProbationPassed.class);
        assertThat(d.onReport(report("accuracy", "model", 2, 40, 500, 0.10))).as("judged once").isEmpty();
    }

    @Test
    void aShadowIsJudgedOnTheWindowsBothReportedAndRetrainingWaitsMeanwhile() throws Exception {
        TrainerSettings shadowed = SETTINGS.withGate(PromotionGate.defaults().withShadow(300, 0.01));
        TrainerDecisions d = fresh(shadowed);
        examples(d, 20, 0);
        d.onReport(report("ddm", "error", 1, 20, 20, 0.5));
        versions.latest = 2;
        assertThat(d.challengerJudged(true, 2, 1, 1000, 10_000)).isNotNull();
        assertThat(d.championVersion()).as("a shadow does not serve").isEqualTo(1);
        assertThat(d.onReport(report("ddm", "error", 1, 21, 21, 0.5))).singleElement().isInstanceOfSatisfying(Refused.class,
                r -> assertThat(r.outcome()).isEqualTo(Outcome.TRAINING));
        assertThat(d.onReport(report("accuracy", "shadow/time", 2, 0, 200, 0.90))).isEmpty();
        assertThat(d.onReport(report("accuracy", "model/time", 1, 0, 200, 0.70))).as("200 of 300 examples").isEmpty();
        d.onReport(report("accuracy", "shadow/time", 2, 60, 200, 0.90));
        List<Action> actions = d.onReport(report("accuracy", "model/time", 1, 60, 200, 0.70));
        assertThat(actions).singleElement().isInstanceOfSatisfying(ShadowVerdict.class, v -> {
            assertThat(v.promote()).isTrue();
            assertThat(v.live()).isEqualTo(0.90);
            assertThat(v.championLive()).isEqualTo(0.70);
        });
        assertThat(d.championVersion()).isEqualTo(2);
        assertThat(d.shadow()).isNull();
    }

    @Test
    void aShadowWithoutVerdictByItsDeadlineIsRejected() throws Exception {
        TrainerDecisions d = fresh(SETTINGS.withGate(PromotionGate.defaults().withShadow(300, 0.01)));
        d.challengerJudged(true, 2, 1, 1000, 10_000);
        assertThat(d.onClock(9_999)).isEmpty();
        assertThat(d.onClock(10_000)).singleElement().isInstanceOfSatisfying(ShadowVerdict.class, v -> assertThat(v.promote()).isFalse());
        d.championIs(3);
        assertThat(d.championVersion()).isEqualTo(3);
        assertThat(d.counters()[4]).as("rejected").isEqualTo(1);
    }

    @Test
    void aShadowWhoseChampionIsReplacedIsAbandoned() throws Exception {
        TrainerDecisions d = fresh(SETTINGS.withGate(PromotionGate.defaults().withShadow(300, 0.01)));
        d.challengerJudged(true, 2, 1, 1000, 10_000);
        versions.latest = 3;
        assertThat(d.onReport(report("accuracy", "model", 3, 5, 10, 0.9))).singleElement().isInstanceOf(ShadowAbandoned.class);
        assertThat(d.championVersion()).isEqualTo(3);
    }

    @Test
    void aRollbackWhileAShadowRunsRetiresTheShadow() throws Exception {
        TrainerDecisions d = fresh(SETTINGS.withGate(PromotionGate.defaults().withShadow(300, 0.01)));
        d.onReport(report("accuracy", "model", 1, 0, 500, 0.80));
        d.challengerJudged(true, 2, 1, 1000, 10_000);
        d.onReport(report("accuracy", "shadow/time", 2, 0, 400, 0.95));
        d.onReport(report("accuracy", "model/time", 1, 0, 400, 0.80));
        assertThat(d.championVersion()).isEqualTo(2);
        d.challengerJudged(true, 3, 2, 1000, 20_000);
        List<Action> actions = d.onReport(report("accuracy", "model", 2, 30, 500, 0.50));
        assertThat(actions).hasSize(2);
        assertThat(actions.get(0)).isInstanceOfSatisfying(RollBack.class, r -> assertThat(r.shadowToRetire()).isEqualTo(3));
        assertThat(actions.get(1)).isInstanceOf(ShadowAbandoned.class);
        assertThat(d.shadow()).isNull();
    }

    @Test
    void theStateSurvivesItsSerializerMidShadowAndMidWait() throws Exception {
        TrainerSettings settings = SETTINGS.withPolicy(POLICY.withAfterDriftExamples(50)).withGate(PromotionGate.defaults().withShadow(300, 0.01));
        TrainerDecisions d = fresh(settings);
        d.onReport(report("accuracy", "model", 1, 0, 500, 0.80));
        d.challengerJudged(true, 2, 1, 1000, 10_000);
        d.onReport(report("accuracy", "shadow/time", 2, 0, 200, 0.90));
        d.onReport(report("accuracy", "model/time", 1, 0, 200, 0.70));
        d.onReport(report("accuracy", "shadow/time", 2, 60, 50, 0.90)); // pending: the champion's window comes after the restore
        examples(d, 30, 0);

        TrainerState state = roundTrip(d.state());
        assertThat(state).isEqualTo(d.state());
        TrainerDecisions restored = TrainerDecisions.restore(settings, versions, state, false);
        assertThat(restored.shadow().version()).isEqualTo(2);
        List<Action> actions = restored.onReport(report("accuracy", "model/time", 1, 60, 50, 0.70));
        assertThat(actions).as("250 examples: not yet").isEmpty();
        restored.onReport(report("accuracy", "shadow/time", 2, 120, 60, 0.90));
        assertThat(restored.onReport(report("accuracy", "model/time", 1, 120, 60, 0.70))).singleElement().isInstanceOfSatisfying(ShadowVerdict.class,
                v -> assertThat(v.live()).isEqualTo(0.90));
        assertThat(restored.counters()).containsExactly(d.counters()[0], d.counters()[1], 1000, 1, 0, 0);

        TrainerDecisions waiting = fresh(settings);
        examples(waiting, 20, 0);
        waiting.onReport(report("ddm", "error", 1, 19, 20, 0.5));
        TrainerDecisions afterRestore = TrainerDecisions.restore(settings, versions, roundTrip(waiting.state()), false);
        assertThat(afterRestore.awaitedExamples()).isEqualTo(50);
        assertThat(examples(afterRestore, 50, 20)).singleElement().isInstanceOfSatisfying(Train.class, t -> assertThat(t.since()).isEqualTo(19));
    }

    private static TrainerState roundTrip(TrainerState state) throws Exception {
        var serializer = new TrainerState.Serializer();
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(state, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
