package io.loopline.operators.retraining;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.operators.metrics.BinaryMetrics;
import org.junit.jupiter.api.Test;

class PromotionGateTest {
    private static BinaryMetrics metrics(double accuracy, double logLoss) {
        return new BinaryMetrics(100, 0.9, logLoss, accuracy, 0.1, 0.5);
    }

    private final PromotionGate gate = new PromotionGate("accuracy", 0.01, "log_loss", 0.05);

    @Test
    void promotesAChallengerBetterByTheMargin() {
        PromotionGate.Decision d = gate.decide(metrics(0.80, 0.40), metrics(0.85, 0.38));
        assertThat(d.promote()).isTrue();
        assertThat(d.champion()).isEqualTo(0.80);
        assertThat(d.challenger()).isEqualTo(0.85);
    }

    @Test
    void rejectsAChallengerThatIsNotBetterEnough() {
        PromotionGate.Decision d = gate.decide(metrics(0.80, 0.40), metrics(0.805, 0.30));
        assertThat(d.promote()).isFalse();
        assertThat(d.reason()).contains("needs +0.0100");
    }

    @Test
    void rejectsAChallengerWorseOnTheGuardMetric() {
        PromotionGate.Decision d = gate.decide(metrics(0.80, 0.40), metrics(0.90, 0.50));
        assertThat(d.promote()).isFalse();
        assertThat(d.reason()).contains("guard log_loss");
        assertThat(new PromotionGate("accuracy", 0.01, null, 0).decide(metrics(0.80, 0.40), metrics(0.90, 0.50)).promote()).isTrue();
    }

    @Test
    void lowerIsBetterForLogLoss() {
        PromotionGate byLoss = new PromotionGate("log_loss", 0.02, null, 0);
        assertThat(byLoss.decide(metrics(0.8, 0.40), metrics(0.8, 0.35)).promote()).isTrue();
        assertThat(byLoss.decide(metrics(0.8, 0.40), metrics(0.8, 0.39)).promote()).isFalse();
    }
}
