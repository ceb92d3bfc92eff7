package io.loopline.operators.training;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A DL4J network that scores feature vectors with a probability. Not thread-safe (DL4J networks are
 * not): one instance per thread or Flink subtask. Scores in batches, since every {@code output()}
 * call costs ~100+ microseconds however small.
 */
public final class BinaryClassifier {
    public static final String FORMAT = "dl4j-multilayer-zip";
    /** The most an artifact may inflate to (weights, updater state and configuration together). */
    public static final long MAX_INFLATED_BYTES = 1L << 30;

    private final MultiLayerNetwork network;
    /** Whether the network computes in float; fixed for its life, so read once rather than per call. */
    private final boolean inFloat;

    private BinaryClassifier(MultiLayerNetwork network) {
        this.network = network;
        this.inFloat = network.getLayerWiseConfigurations().getDataType() == DataType.FLOAT;
    }

    public static BinaryClassifier create(int inputs, NetworkSettings settings) {
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(settings.seed())
                .updater(new Adam(settings.learningRate()))
                .l2(settings.l2())
                .weightInit(WeightInit.XAVIER)
                .list();
        int width = inputs;
        int index = 0;
        Activation activation = Activation.valueOf(settings.activation().toUpperCase(Locale.ROOT));
        for (int hidden : settings.hidden()) {
            layers.layer(index++, new DenseLayer.Builder().nIn(width).nOut(hidden).activation(activation).build());
            width = hidden;
        }
        layers.layer(index, new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(width).nOut(1).activation(Activation.SIGMOID).build());
        MultiLayerConfiguration config = layers.build();
        MultiLayerNetwork network = new MultiLayerNetwork(config);
        network.init();
        return new BinaryClassifier(network);
    }

    /** Reads an artifact written by {@link #toBytes} (weights and updater state, so training can continue). */
    public static BinaryClassifier fromBytes(byte[] artifact) throws IOException {
        byte[] networkOnly = ArtifactEntries.onlyNetworkEntries(artifact, MAX_INFLATED_BYTES);
        return new BinaryClassifier(ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(networkOnly), true));
    }

    public byte[] toBytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelSerializer.writeModel(network, out, true);
        return out.toByteArray();
    }

    public int inputs() {
        return (int) network.layerInputSize(0);
    }

    /** Mini-batch gradient descent over the rows, {@code epochs} passes, in a seeded shuffled order. */
    public void fit(double[][] features, double[] labels, int epochs, int batchSize, long seed) {
        java.util.Random random = new java.util.Random(seed);
        int n = features.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int from = 0; from < n; from += batchSize) {
                int to = Math.min(n, from + batchSize);
                double[][] x = new double[to - from][];
                double[][] y = new double[to - from][1];
                for (int k = from; k < to; k++) {
                    x[k - from] = features[order[k]];
                    y[k - from][0] = labels[order[k]];
                }
                network.fit(new DataSet(Nd4j.create(x), Nd4j.create(y)));
            }
        }
    }

    /** The optimizer's learning rate (of the first layer; every layer has the same one). */
    public double learningRate() {
        Double rate = network.getLearningRate(0);
        return rate == null ? Double.NaN : rate;
    }

    /** Sets every layer's learning rate; the optimizer's state (Adam's moments) stays. */
    public void setLearningRate(double rate) {
        network.setLearningRate(rate);
    }

    /** One gradient step on one mini-batch (rows and their 0/1 labels). */
    public void fitBatch(double[][] features, double[] labels) {
        double[][] y = new double[labels.length][1];
        for (int i = 0; i < labels.length; i++) {
            y[i][0] = labels[i];
        }
        network.fit(new DataSet(Nd4j.create(features), Nd4j.create(y)));
    }

    /**
     * Probabilities for many rows, in batches of {@code batchSize} rows per DL4J call.
     *
     * <p>A network that computes in float gets its input in float: ND4J would otherwise copy each row
     * into a double array and then cast all of it, which took about a third of a 256-row call. The
     * scores are the same bits, since the cast rounds each value as {@code (float)} does.
     */
    public double[] score(double[][] features, int batchSize) {
        double[] scores = new double[features.length];
        for (int from = 0; from < features.length; from += batchSize) {
            int to = Math.min(features.length, from + batchSize);
            INDArray x = inFloat ? floatRows(features, from, to) : Nd4j.create(java.util.Arrays.copyOfRange(features, from, to));
            INDArray out = network.output(x, false);
            for (int i = 0; i < to - from; i++) {
                scores[from + i] = out.getDouble(i, 0);
            }
        }
        return scores;
    }

    private INDArray floatRows(double[][] features, int from, int to) {
        int columns = inputs();
        float[] flat = new float[(to - from) * columns];
        for (int i = from; i < to; i++) {
            double[] row = features[i];
            if (row.length != columns) {
                throw new IllegalArgumentException("row " + i + " has " + row.length + " values, but the network takes " + columns);
            }
            int offset = (i - from) * columns;
            for (int j = 0; j < columns; j++) {
                flat[offset + j] = (float) row[j];
            }
        }
        // Nd4j.create(float[], shape, order) fills its buffer one virtual put() per value; a buffer made from the array is
        // one bulk copy, and the same values.
        return Nd4j.create(Nd4j.createBuffer(flat), to - from, columns);
    }
}
