package io.loopline.operators.retraining;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loopline.operators.retraining.RetrainTriggers.Cause;
import io.loopline.operators.retraining.RetrainTriggers.Outcome;
import io.loopline.operators.retraining.RetrainTriggers.Trigger;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetrainTriggersTest {
    private static final long MINUTE = 60_000;
    private final RetrainPolicy policy = RetrainPolicy.defaults().withCooldown(Duration.ofMinutes(10)).withRateLimit(3, Duration.ofHours(1))
            .withMinExamples(100);

    @Test
    void aFlappingDetectorRetrainsOncePerCooldownAndAtMostTheRateLimit() {
        RetrainTriggers triggers = new RetrainTriggers(policy);
        int admitted = 0;
        int coolingDown = 0;
        int rateLimited = 0;
        for (long t = 0; t < 60 * MINUTE; t += MINUTE) { // fires every minute for an hour
            Outcome outcome = triggers.offer(triggers.onDetector("adwin", t), false, 1000);
            switch (outcome) {
                case ADMITTED -> admitted++;
                case COOLING_DOWN -> coolingDown++;
                case RATE_LIMITED -> rateLimited++;
                default -> throw new AssertionError(outcome);
            }
        }
        assertThat(admitted).as("t = 0, 10 and 20 min; then the hour's limit of 3").isEqualTo(3);
        assertThat(coolingDown).isEqualTo(27); // 9 after each admitted one
        assertThat(rateLimited).isEqualTo(30);
        assertThat(triggers.offer(triggers.onDetector("adwin", 60 * MINUTE), false, 1000)).as("the first falls out of the hour").isEqualTo(Outcome.ADMITTED);
    }

    @Test
    void refusesWhileTrainingOrWithTooFewExamplesWithoutStartingTheCooldown() {
        RetrainTriggers triggers = new RetrainTriggers(policy);
        assertThat(triggers.offer(triggers.onDetector("ddm", 0), true, 1000)).isEqualTo(Outcome.TRAINING);
        assertThat(triggers.offer(triggers.onDetector("ddm", 1), false, 99)).isEqualTo(Outcome.TOO_FEW_EXAMPLES);
        assertThat(triggers.offer(triggers.onDetector("ddm", 2), false, 100)).isEqualTo(Outcome.ADMITTED);
    }

    @Test
    void onlyConfiguredDetectorsAndADecayBeyondTheMarginTrigger() {
        RetrainTriggers triggers = new RetrainTriggers(policy.withDetectors(Set.of("ddm")).withDecay("accuracy", 0.05));
        assertThat(triggers.onDetector("adwin", 0)).isNull();
        assertThat(triggers.onDetector("ddm", 0).cause()).isEqualTo(Cause.DRIFT);
        assertThat(triggers.onMetric("accuracy", 0.86, 0.90, 0)).as("4 points down, margin 5").isNull();
        assertThat(triggers.onMetric("auc", 0.5, 0.90, 0)).as("not the decay metric").isNull();
        Trigger decay = triggers.onMetric("accuracy", 0.84, 0.90, 0);
        assertThat(decay.cause()).isEqualTo(Cause.DECAY);
        assertThat(decay.detail()).contains("0.8400").contains("0.9000");
        RetrainTriggers logLoss = new RetrainTriggers(policy.withDecay("log_loss", 0.1));
        assertThat(logLoss.onMetric("log_loss", 0.45, 0.30, 0)).as("log loss: higher is worse").isNotNull();
        assertThat(logLoss.onMetric("log_loss", 0.20, 0.30, 0)).isNull();
    }

    @Test
    void volumeAndScheduleTriggersAndStateSurvivesARestore() {
        RetrainTriggers triggers = new RetrainTriggers(policy.withEveryExamples(500).withSchedule(Duration.ofHours(1)).withCooldown(Duration.ZERO)
                .withRateLimit(100, Duration.ofHours(1)));
        Trigger volume = null;
        long t = 0;
        for (int i = 0; i < 500 && volume == null; i++) {
            volume = triggers.onExample(t += 1000);
        }
        assertThat(volume.cause()).isEqualTo(Cause.VOLUME);
        assertThat(triggers.offer(volume, false, 500)).isEqualTo(Outcome.ADMITTED);
        RetrainTriggers restored = new RetrainTriggers(policy.withEveryExamples(500).withSchedule(Duration.ofHours(1)).withCooldown(Duration.ZERO)
                .withRateLimit(100, Duration.ofHours(1)));
        restored.restore(triggers.state());
        assertThat(restored.onExample(t + 1000)).as("the volume count restarted at the admitted trigger").isNull();
        Trigger scheduled = restored.onExample(3_600_000);
        assertThat(scheduled.cause()).isEqualTo(Cause.SCHEDULE);
        assertThat(restored.onExample(3_600_001)).as("once per period").isNull();
    }

    @Test
    void aCooldownInExamplesCountsLabelledExamplesSinceTheLastTrigger() {
        RetrainTriggers triggers = new RetrainTriggers(policy.withCooldown(Duration.ZERO).withCooldownExamples(300));
        assertThat(triggers.offer(triggers.onDetector("ddm", 0), false, 1000)).isEqualTo(Outcome.ADMITTED);
        for (int i = 0; i < 299; i++) {
            triggers.onExample(i);
        }
        assertThat(triggers.offer(triggers.onDetector("ddm", 299), false, 1000)).isEqualTo(Outcome.COOLING_DOWN);
        triggers.onExample(300);
        assertThat(triggers.offer(triggers.onDetector("ddm", 300), false, 1000)).isEqualTo(Outcome.ADMITTED);
    }

    @Test
    void configErrorsNameTheKey() {
        assertThatThrownBy(() -> RetrainPolicy.defaults().withDetectors(Set.of("adwn"))).hasMessageContaining("retrain.on-drift").hasMessageContaining("adwn");
        assertThatThrownBy(() -> RetrainPolicy.defaults().withCooldown(Duration.ofSeconds(-1))).hasMessageContaining("retrain.cooldown");
        assertThatThrownBy(() -> new PromotionGate("f1", 0, null, 0)).hasMessageContaining("gate.metric");
    }
}
