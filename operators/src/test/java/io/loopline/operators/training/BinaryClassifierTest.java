package io.loopline.operators.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BinaryClassifierTest {
    private static final int INPUTS = 7;

    @Test
    void scoresAreTheBitsDl4jGivesForTheSameRowsInDouble() throws Exception {
        BinaryClassifier classifier = BinaryClassifier.create(INPUTS, new NetworkSettings(List.of(5, 3), "relu", 0.01, 1e-4, 1, 32, 3));
        MultiLayerNetwork reference = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(classifier.toBytes()), false);
        Random random = new Random(11);
        double[][] rows = new double[300][INPUTS];
        for (double[] row : rows) {
            for (int j = 0; j < INPUTS; j++) {
                row[j] = random.nextGaussian() * Math.pow(10, random.nextInt(5) - 3);
            }
        }
        // Values a cast rounds: beyond float's precision, signed zeros, below float's smallest subnormal, and float's extremes.
        rows[0] = new double[] {0.1, -0.0, 0.0, 1e-310, -1e-46, 3.4028234663852886e38, 1.0000000000000002};
        rows[1] = new double[] {Math.PI, Math.E, -1e-38, 16777217.0, -16777217.0, 1e-45, 0.30000000000000004};

        double[] scores = classifier.score(rows, 64); // batches of 64, 64, 64, 64 and 44 rows
        INDArray expected = reference.output(Nd4j.create(rows), false);
        for (int i = 0; i < rows.length; i++) {
            assertThat(Double.doubleToLongBits(scores[i])).as("row %d", i).isEqualTo(Double.doubleToLongBits(expected.getDouble(i, 0)));
        }
        assertThat(java.util.Arrays.stream(scores).distinct().count()).as("not one saturated score for all").isGreaterThan(200);
    }

    @Test
    void aRowOfAnotherWidthIsRefusedByItsIndex() {
        BinaryClassifier classifier = BinaryClassifier.create(INPUTS, new NetworkSettings(List.of(4), "relu", 0.01, 1e-4, 1, 32, 3));
        double[][] rows = {new double[INPUTS], new double[INPUTS - 1]};
        assertThatThrownBy(() -> classifier.score(rows, 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("row 1 has 6 values, but the network takes 7");
    }
}
