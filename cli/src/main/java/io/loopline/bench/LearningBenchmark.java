package io.loopline.bench;

import io.loopline.state.serialization.LabelSerializer;
import io.loopline.state.serialization.ServedFeaturesSerializer;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.learning.LearningJob;
import io.loopline.operators.drift.ReferenceBins;
import io.loopline.state.records.FeatureVector;
import io.loopline.state.records.Label;
import io.loopline.state.records.MonitoringReport;
import io.loopline.state.records.ServedFeatures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The learning job's throughput without Kafka: generated served predictions (20 standard-normal
 * features, one shifted half-way) and chargeback labels for 10 % of them, through the label join
 * (natural labels), the online evaluation with its detectors and the windowed drift statistics,
 * in STREAMING with RocksDB and checkpoints. Reports labelled examples per second (job net runtime)
 * and the checkpointed state of the drift and evaluation operators, which must not grow with traffic.
 */
public final class LearningBenchmark {
    public static final int FEATURES = 20;
    private static final long START = 1_767_225_600_000L;

    /**
     * @param driftStateBytes largest checkpointed state of the evaluation and drift operators
     * @param joinStateBytes largest checkpointed state of the label join (bounded by the feedback window, not by traffic)
     */
    public record Run(long examples, double seconds, double examplesPerSecond, long driftStateBytes, long joinStateBytes, int checkpoints) {}

    private final int parallelism;
    private final long gapMillis;
    private final String stateBackend;

    /** @param gapMillis event time between consecutive predictions */
    public LearningBenchmark(int parallelism, long gapMillis, String stateBackend) {
        this.parallelism = parallelism;
        this.gapMillis = gapMillis;
        this.stateBackend = stateBackend;
    }

    public static ReferenceBins reference() {
        double[] deciles = {-1.2816, -0.8416, -0.5244, -0.2533, 0, 0.2533, 0.5244, 0.8416, 1.2816};
        double[][] edges = new double[FEATURES][];
        double[][] counts = new double[FEATURES][];
        double[] min = new double[FEATURES];
        double[] max = new double[FEATURES];
        List<String> columns = new ArrayList<>();
        for (int c = 0; c < FEATURES; c++) {
            columns.add("f" + c);
            edges[c] = deciles;
            counts[c] = new double[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000};
            min[c] = -5;
            max[c] = 5;
        }
        return new ReferenceBins(columns, edges, counts, min, max, new double[] {9000, 1000});
    }

    public Run run(long examples, Path checkpoints, Duration checkpointInterval) throws Exception {
        Configuration conf = LocalEnvironments.streamingConfiguration(parallelism, checkpoints, checkpointInterval);
        conf.setString("state.backend.type", stateBackend);
        MiniClusterConfiguration clusterConfig = new MiniClusterConfiguration.Builder()
                .withRandomPorts()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(parallelism)
                .build();
        try (MiniCluster cluster = new MiniCluster(clusterConfig)) {
            cluster.start();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setMaxParallelism(128);
            long gap = gapMillis;
            // One generating subtask each, so event time is in order (parallel sequence splits would run apart in event time).
            var served = env.fromSource(new NumberSequenceSource(0, examples - 1), WatermarkStrategy.noWatermarks(), "Generated Predictions")
                    .setParallelism(1)
                    .map(new GeneratedPrediction(examples / 2, gap))
                    .setParallelism(1)
                    .returns(ServedFeaturesSerializer.TYPE_INFO);
            var labels = env.fromSource(new NumberSequenceSource(0, examples / 10 - 1), WatermarkStrategy.noWatermarks(), "Generated Chargebacks")
                    .setParallelism(1)
                    .map((MapFunction<Long, Label>) i -> new Label("e" + (i * 10), 1.0, START + i * 10 * gap + 2_000))
                    .setParallelism(1)
                    .returns(LabelSerializer.TYPE_INFO);
            var settings = LearningJob.Settings.from(new org.apache.flink.configuration.Configuration()
                    .set(io.loopline.jobs.config.LearningOptions.FEEDBACK_WINDOW, Duration.ofMinutes(1))
                    .set(io.loopline.jobs.config.LearningOptions.DEFAULT_LABEL, 0.0)
                    .set(io.loopline.jobs.config.LearningOptions.OUT_OF_ORDERNESS, Duration.ofSeconds(1))
                    .set(io.loopline.jobs.config.LearningOptions.EVALUATION_WINDOW, 1000)
                    .set(io.loopline.jobs.config.LearningOptions.EVALUATION_SLIDE, 500)
                    .set(io.loopline.jobs.config.LearningOptions.DRIFT_WINDOW, Duration.ofMinutes(1)), reference(), null, null);
            LearningJob.monitor(served, labels, settings).reports().sinkTo(new DiscardingSink<MonitoringReport>()).name("Discard");
            var jobGraph = env.getStreamGraph().getJobGraph();
            JobID id = cluster.submitJob(jobGraph).get().getJobID();
            var result = cluster.requestJobResult(id).get();
            if (!result.isSuccess()) {
                throw new IllegalStateException("benchmark job failed", result.getSerializedThrowable().get());
            }
            AccessExecutionGraph graph = cluster.getExecutionGraph(id).get();
            long drift = 0;
            long join = 0;
            int completed = 0;
            var stats = graph.getCheckpointStatsSnapshot();
            if (stats != null) {
                for (AbstractCheckpointStats c : stats.getHistory().getCheckpoints()) {
                    if (!c.getStatus().isCompleted()) {
                        continue;
                    }
                    completed++;
                    long driftHere = 0;
                    long joinHere = 0;
                    for (AccessExecutionJobVertex v : graph.getAllVertices().values()) {
                        var task = c.getTaskStateStats(v.getJobVertexId());
                        if (task == null) {
                            continue;
                        }
                        if (v.getName().contains("Label Join")) {
                            joinHere += task.getStateSize();
                        } else if (v.getName().contains("Online Evaluation") || v.getName().contains("Drift Statistics")
                                || v.getName().contains("Partial Histograms")) {
                            driftHere += task.getStateSize();
                        }
                    }
                    drift = Math.max(drift, driftHere);
                    join = Math.max(join, joinHere);
                }
            }
            double seconds = result.getNetRuntime() / 1000.0;
            return new Run(examples, seconds, examples / seconds, drift, join, completed);
        }
    }

    /** Prediction i: 20 standard-normal features (f0 shifted by one from {@code shiftAt} on), a score, version 1. */
    private static final class GeneratedPrediction implements MapFunction<Long, ServedFeatures> {
        private static final long serialVersionUID = 1L;
        private final long shiftAt;
        private final long gap;

        GeneratedPrediction(long shiftAt, long gap) {
            this.shiftAt = shiftAt;
            this.gap = gap;
        }

        @Override
        public ServedFeatures map(Long index) {
            long i = index;
            long h = SyntheticEvents.mix(i);
            double[] values = new double[FEATURES];
            for (int c = 0; c < FEATURES; c++) {
                h = SyntheticEvents.mix(h + c);
                values[c] = normal(h);
            }
            if (i >= shiftAt) {
                values[0] += 1;
            }
            long t = START + i * gap;
            double score = (SyntheticEvents.mix(i + 7) & 1023) / 1024.0;
            return new ServedFeatures(new FeatureVector("e" + i, "c" + (i & 1023), t, values, Double.NaN), "bench", 1, score, t);
        }

        /** A standard normal from 64 random bits (Box-Muller on two 26-bit halves). */
        private static double normal(long bits) {
            double u1 = ((bits >>> 38) + 1) / (double) (1L << 26);
            double u2 = ((bits >>> 12) & ((1L << 26) - 1)) / (double) (1L << 26);
            return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        }
    }
}
