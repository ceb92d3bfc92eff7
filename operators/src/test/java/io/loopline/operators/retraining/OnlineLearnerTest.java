package io.loopline.operators.retraining;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.loopline.operators.training.BinaryClassifier;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The online learner without Flink: test-then-train on a concept flip, the snapshot verdict, the learning-rate boost, and its saved state. */
class OnlineLearnerTest {
    private static final OnlineLearning SETTINGS = new OnlineLearning(8, 200, 0, 200, 0.01, 4.0, 400);

    private static BinaryClassifier champion() {
        BinaryClassifier network = BinaryClassifier.create(ConceptFlip.DIMENSION, ConceptFlip.NETWORK);
        double[][] x = ConceptFlip.rows(2000, new Random(1));
        network.fit(x, ConceptFlip.labels(x, false), 3, 32, 1);
        return network;
    }

    /** Feeds {@code n} rows of the flipped concept; the served score is the old champion's (right before the flip, wrong after). */
    private static void feedFlipped(OnlineLearner learner, BinaryClassifier served, int n, long seed) {
        double[][] x = ConceptFlip.rows(n, new Random(seed));
        double[] y = ConceptFlip.labels(x, true);
        double[] scores = served.score(x, 256);
        for (int i = 0; i < n; i++) {
            learner.add(x[i], y[i], scores[i]);
        }
    }

    @Test
    void afterAFlipTheLearnerOvertakesTheServedModelOnTheSameRowsAndIsDueEveryBatchOfLabels() throws Exception {
        BinaryClassifier served = champion();
        OnlineLearner learner = OnlineLearner.startingFrom(champion(), SETTINGS, 0);
        assertThat(learner.due(0)).isFalse();
        feedFlipped(learner, served, 196, 2);
        assertThat(learner.learned()).as("whole mini-batches only").isEqualTo(192);
        assertThat(learner.due(0)).isFalse();
        feedFlipped(learner, served, 4, 3);
        assertThat(learner.due(0)).as("200 labels learned").isTrue();
        feedFlipped(learner, served, 1800, 4);
        OnlineLearner.Verdict verdict = learner.look(0);
        assertThat(verdict.rows()).isEqualTo(200);
        assertThat(verdict.servedAccuracy()).as("the old concept on the new rows").isLessThan(0.2);
        assertThat(verdict.learnerAccuracy()).as("learned the flip, judged before each row was learned").isGreaterThan(0.85);
        assertThat(verdict.publish()).isTrue();
        assertThat(learner.due(0)).as("the next look is 200 labels later").isFalse();
        assertThat(learner.stalenessLabels()).isEqualTo(2000);
        learner.served(5_000);
        assertThat(learner.stalenessLabels()).isZero();
        assertThat(learner.stalenessMillis(7_500)).isEqualTo(2_500);
    }

    @Test
    void aSnapshotWorseThanWhatServedIsHeld() throws Exception {
        // The "served" scores are the true labels: nothing beats them on the same rows.
        OnlineLearner learner = OnlineLearner.startingFrom(champion(), SETTINGS, 0);
        double[][] x = ConceptFlip.rows(400, new Random(5));
        double[] y = ConceptFlip.labels(x, true);
        for (int i = 0; i < x.length; i++) {
            learner.add(x[i], y[i], y[i]);
        }
        OnlineLearner.Verdict verdict = learner.look(0);
        assertThat(verdict.servedAccuracy()).isEqualTo(1.0);
        assertThat(verdict.publish()).isFalse();
    }

    @Test
    void aBoostRaisesTheLearningRateForItsExamplesAndTheSnapshotKeepsTheBaseRate() throws Exception {
        OnlineLearner learner = OnlineLearner.startingFrom(champion(), SETTINGS, 0);
        double base = BinaryClassifier.fromBytes(learner.snapshot()).learningRate();
        assertThat(learner.boost()).isTrue();
        assertThat(learner.boost()).as("not again while a boost lasts").isFalse();
        feedFlipped(learner, champion(), 200, 6);
        assertThat(learner.boosting()).isTrue();
        assertThat(BinaryClassifier.fromBytes(learner.snapshot()).learningRate()).as("published at the base rate").isCloseTo(base, within(1e-12));
        feedFlipped(learner, champion(), 200, 7);
        assertThat(learner.boosting()).as("400 examples later").isFalse();
        assertThat(learner.boost()).isTrue();
    }

    @Test
    void theSavedStateGoesOnExactlyLikeTheLearnerThatWroteIt() throws Exception {
        BinaryClassifier served = champion();
        OnlineLearner original = OnlineLearner.startingFrom(champion(), SETTINGS, 0);
        original.boost();
        feedFlipped(original, served, 300, 8); // 300 = 37 batches of 8 and 4 rows pending
        OnlineLearner restored = OnlineLearner.fromBytes(original.toBytes(), SETTINGS);
        assertThat(restored.learned()).isEqualTo(original.learned()).isEqualTo(296);
        feedFlipped(original, served, 300, 9);
        feedFlipped(restored, served, 300, 9);
        assertThat(restored.learned()).isEqualTo(original.learned());
        double[][] probe = ConceptFlip.rows(50, new Random(10));
        double[] a = original.score(probe);
        double[] b = restored.score(probe);
        for (int i = 0; i < probe.length; i++) {
            assertThat(b[i]).as("row " + i).isCloseTo(a[i], within(1e-9));
        }
        assertThat(restored.look(0)).isEqualTo(original.look(0));
    }
}
