package io.loopline.operators.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BinaryMetricsTest {

    @Test
    void matchesScikitLearnOnASmallExample() {
        // sklearn.metrics: roc_auc_score([0,0,1,1],[0.1,0.4,0.35,0.8]) = 0.75,
        // log_loss(...) = 0.47228795, brier_score_loss(...) = 0.158125
        double[] y = {0, 0, 1, 1};
        double[] p = {0.1, 0.4, 0.35, 0.8};
        BinaryMetrics m = BinaryMetrics.of(p, y);
        assertThat(m.auc()).isCloseTo(0.75, within(1e-12));
        assertThat(m.logLoss()).isCloseTo(0.47228795, within(1e-8));
        assertThat(m.brier()).isCloseTo(0.158125, within(1e-12));
        assertThat(m.accuracy()).isEqualTo(0.75);
        assertThat(m.positiveRate()).isEqualTo(0.5);
    }

    @Test
    void tiedScoresCountHalf() {
        BinaryMetrics m = BinaryMetrics.of(new double[] {0.5, 0.5, 0.5, 0.5}, new double[] {0, 1, 0, 1});
        assertThat(m.auc()).isEqualTo(0.5);
    }

    @Test
    void aucIsUndefinedWithOneClass() {
        assertThat(BinaryMetrics.of(new double[] {0.2, 0.9}, new double[] {1, 1}).auc()).isNaN();
    }
}
