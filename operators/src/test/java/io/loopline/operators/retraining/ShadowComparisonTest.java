package io.loopline.operators.retraining;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ShadowComparisonTest {
    @Test
    void comparesOnlyWindowsBothReportedAndTheShadowMostlyCovered() {
        var c = new ShadowComparison();
        c.champion(0, 0.9, 100); // the shadow started at the end of this window
        c.shadow(0, 0.5, 10);
        c.shadow(60, 0.8, 100); // the champion's report for it comes later
        assertThat(c.shadowExamples()).isZero();
        c.champion(60, 0.6, 100);
        c.champion(120, 0.7, 200);
        c.shadow(120, 0.9, 200);
        assertThat(c.shadowExamples()).isEqualTo(300);
        assertThat(c.shadowAccuracy()).isCloseTo((0.8 * 100 + 0.9 * 200) / 300, within(1e-12));
        assertThat(c.championAccuracy()).isCloseTo((0.6 * 100 + 0.7 * 200) / 300, within(1e-12));
    }

    @Test
    void survivesARestoreWithWindowsPending() {
        var c = new ShadowComparison();
        c.champion(60, 0.6, 100);
        c.shadow(60, 0.8, 100);
        c.champion(120, 0.7, 200);
        c.shadow(180, 0.95, 50);
        var restored = ShadowComparison.restore(c.state());
        restored.shadow(120, 0.9, 200);
        restored.champion(180, 0.5, 50);
        assertThat(restored.shadowExamples()).isEqualTo(350);
        assertThat(restored.championAccuracy()).isCloseTo((60 + 140 + 25) / 350.0, within(1e-12));
        assertThat(restored.shadowAccuracy()).isCloseTo((80 + 180 + 47.5) / 350.0, within(1e-12));
    }

    @Test
    void windowsWithoutTheOtherSideAreBounded() {
        var c = new ShadowComparison();
        for (int i = 0; i < 1000; i++) {
            c.champion(i * 60L, 0.9, 10);
        }
        assertThat(c.state().championPending()).hasSize(ShadowComparison.MAX_PENDING);
    }
}
