package io.loopline.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScoringBenchmarkTest {
    @Test
    void eachBatchSizeIsTimedBothWays() throws Exception {
        var batches = ScoringBenchmark.run(new int[] {1, 16}, 3, 64);
        assertThat(batches).extracting(ScoringBenchmark.Batch::rows).containsExactly(1, 16);
        for (var b : batches) {
            assertThat(b.microsPerCall()).isPositive();
            assertThat(b.doubleInputMicrosPerCall()).isPositive();
            assertThat(b.microsPerRow()).isEqualTo(b.microsPerCall() / b.rows());
        }
    }

    @Test
    void aRunWithoutMeasuredRoundsIsRefused() {
        assertThatThrownBy(() -> ScoringBenchmark.run(new int[] {1}, 2, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rounds must be >= 3");
    }
}
