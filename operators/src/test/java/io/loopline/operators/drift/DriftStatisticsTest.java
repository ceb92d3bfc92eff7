package io.loopline.operators.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Reference values from scipy's documentation examples (scipy.spatial.distance.jensenshannon, scipy.stats.chisquare, wasserstein_distance). */
class DriftStatisticsTest {

    @Test
    void jensenShannonMatchesScipysExamples() {
        assertThat(DriftStatistics.jensenShannon(new double[] {1, 0, 0}, new double[] {0, 1, 0}, 2)).isCloseTo(1.0, within(1e-12));
        assertThat(DriftStatistics.jensenShannon(new double[] {1, 0}, new double[] {0.5, 0.5})).isCloseTo(0.46450140402245893, within(1e-12));
        assertThat(DriftStatistics.jensenShannon(new double[] {1, 0, 0}, new double[] {1, 0, 0})).isZero();
        assertThat(DriftStatistics.jensenShannon(new double[] {1, 0}, new double[] {1, 1}))
                .as("natural log, unnormalized counts").isCloseTo(0.46450140402245893, within(1e-12));
    }

    @Test
    void chiSquareMatchesScipysExamples() {
        var uniform = DriftStatistics.chiSquare(new double[] {1, 1, 1, 1, 1, 1}, new double[] {16, 18, 16, 14, 12, 12});
        assertThat(uniform.statistic()).isCloseTo(2.0, within(1e-12));
        assertThat(uniform.pvalue()).isCloseTo(0.84914503608460956, within(1e-9));
        var given = DriftStatistics.chiSquare(new double[] {16, 16, 16, 16, 16, 8}, new double[] {16, 18, 16, 14, 12, 12});
        assertThat(given.statistic()).isCloseTo(3.5, within(1e-12));
        assertThat(given.pvalue()).isCloseTo(0.62338762774958223, within(1e-9));
    }

    @Test
    void wassersteinMatchesScipysExamples() {
        assertThat(DriftStatistics.wasserstein(new double[] {0, 1, 3}, new double[] {5, 6, 8})).isCloseTo(5.0, within(1e-12));
        assertThat(DriftStatistics.wasserstein(new double[] {0, 1}, new double[] {3, 1}, new double[] {0, 1}, new double[] {2, 2}))
                .isCloseTo(0.25, within(1e-12));
        assertThat(DriftStatistics.wasserstein(new double[] {3.4, 3.9, 7.5, 7.8}, new double[] {1.4, 0.9, 3.1, 7.2}, new double[] {4.5, 1.4},
                new double[] {3.2, 3.5})).isCloseTo(4.0781331438047861, within(1e-12));
    }

    @Test
    void binnedWassersteinOfAShiftedHistogramIsTheShift() {
        double[] edges = {0, 1, 2, 3, 4};
        assertThat(DriftStatistics.wassersteinBinned(edges, new double[] {10, 10, 0, 0}, new double[] {0, 10, 10, 0})).isCloseTo(1.0, within(1e-12));
        assertThat(DriftStatistics.wassersteinBinned(edges, new double[] {1, 2, 3, 4}, new double[] {2, 4, 6, 8})).isCloseTo(0, within(1e-12));
    }

    @Test
    void psiIsZeroForTheSameSharesAndGrowsWithTheShift() {
        assertThat(DriftStatistics.psi(new double[] {10, 20, 30, 40}, new double[] {1, 2, 3, 4})).isCloseTo(0, within(1e-12));
        // By hand: (0.4-0.25)ln(0.4/0.25) + (0.1-0.25)ln(0.1/0.25) twice = 2·(0.15·ln1.6 + 0.15·ln2.5)
        double expected = 2 * (0.15 * Math.log(1.6) + 0.15 * Math.log(2.5));
        assertThat(DriftStatistics.psi(new double[] {25, 25, 25, 25}, new double[] {40, 10, 40, 10})).isCloseTo(expected, within(1e-12));
        assertThat(DriftStatistics.psi(new double[] {50, 50, 0}, new double[] {50, 0, 50})).as("empty bins are smoothed, not infinite").isFinite()
                .isGreaterThan(1);
    }
}
