package io.loopline.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PredictionLatencyTest {
    @Test
    void onlyEventsSentAreMeasuredAndARepeatCountsOnce() {
        var latency = new PredictionLatency();
        assertThat(latency.overall()).containsOnly(Double.NaN);
        latency.sent("a");
        latency.sent("b");
        latency.readable("a");
        latency.readable("a"); // at least once: the same prediction again
        latency.readable("never-sent");
        assertThat(latency.samples()).isEqualTo(1);
        double[] p = latency.overall();
        assertThat(p[0]).isGreaterThanOrEqualTo(0).isEqualTo(p[1]);
        latency.readable("b");
        assertThat(latency.samples()).isEqualTo(2);
        assertThat(latency.recent()[1]).isGreaterThanOrEqualTo(latency.recent()[0]);
    }

    @Test
    void theSteadyPercentilesLeaveOutEventsSentBeforeTheWarmUpEnded() {
        var latency = new PredictionLatency();
        latency.sent("during-warm-up");
        latency.steadyFrom(System.nanoTime());
        latency.sent("steady");
        assertThat(latency.steady()).containsOnly(Double.NaN);
        latency.readable("steady");
        latency.readable("during-warm-up");
        assertThat(latency.samples()).isEqualTo(2);
        assertThat(latency.steadySamples()).isEqualTo(1);
        assertThat(latency.steady()[0]).isEqualTo(latency.steady()[1]).isLessThanOrEqualTo(latency.overall()[1]);
    }
}
