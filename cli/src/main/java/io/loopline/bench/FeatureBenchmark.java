package io.loopline.bench;

import io.loopline.state.serialization.EventSerializer;
import io.loopline.jobs.backfill.BackfillJob;
import io.loopline.operators.features.FeaturePipeline;
import io.loopline.operators.features.FitAccumulator;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.profile.FeatureFit;
import io.loopline.state.records.Event;
import io.loopline.state.records.FeatureVector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The feature pipeline's throughput without Kafka in the loop: a generated stream through
 * aggregation and transform into a discarding sink, in BATCH and in STREAMING (RocksDB,
 * checkpoints). Runs on its own MiniCluster so checkpoint statistics (the state size) can be read
 * after the job.
 */
public final class FeatureBenchmark {
    /** One measured run. */
    /**
     * @param seconds the job's net runtime as Flink reports it (from running to finished)
     * @param wallSeconds from submission to result, job start-up included
     */
    public record Run(String mode, long events, double seconds, double wallSeconds, long maxStateBytes, int checkpoints) {
        public double eventsPerSecond() {
            return events / seconds;
        }
    }

    private final FeatureSpec spec;
    private final long events;
    private final int entities;
    private final int parallelism;
    private final long gapMillis;

    public FeatureBenchmark(FeatureSpec spec, long events, int entities, int parallelism, long gapMillis) {
        this.spec = spec;
        this.events = events;
        this.entities = entities;
        this.parallelism = parallelism;
        this.gapMillis = gapMillis;
    }

    public Run batch() throws Exception {
        Configuration conf = BackfillJob.batchConfiguration(parallelism);
        return run("BATCH", conf);
    }

    public Run streaming(Path checkpointDir, Duration checkpointInterval, String stateBackend) throws Exception {
        Configuration conf = io.loopline.jobs.LocalEnvironments.streamingConfiguration(parallelism, checkpointDir, checkpointInterval);
        conf.setString("state.backend.type", stateBackend);
        return run("STREAMING", conf);
    }

    private Run run(String mode, Configuration conf) throws Exception {
        MiniClusterConfiguration clusterConfig = new MiniClusterConfiguration.Builder()
                .withRandomPorts()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(parallelism)
                .build();
        try (MiniCluster cluster = new MiniCluster(clusterConfig)) {
            cluster.start();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(parallelism);
            env.setMaxParallelism(128);
            DataStream<Event> stream = env.fromSource(new NumberSequenceSource(0, events - 1), WatermarkStrategy.noWatermarks(), "Generated Events")
                    .map(new SyntheticEvents(entities, 1_767_225_600_000L, gapMillis))
                    .returns(EventSerializer.TYPE_INFO)
                    .name("Synthetic Events");
            // STREAMING as serving runs it (each event leaves on arrival), BATCH as the backfill does.
            FeaturePipeline pipeline = mode.equals("STREAMING") ? new FeaturePipeline(spec).onArrival() : new FeaturePipeline(spec);
            pipeline.transform(pipeline.aggregate(stream).rows(), neutralFit(spec))
                    .sinkTo(new DiscardingSink<FeatureVector>())
                    .name("Discard");
            JobGraph jobGraph = env.getStreamGraph().getJobGraph();
            long start = System.nanoTime();
            JobID id = cluster.submitJob(jobGraph).get().getJobID();
            var result = cluster.requestJobResult(id).get();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!result.isSuccess()) {
                throw new IllegalStateException("benchmark job failed", result.getSerializedThrowable().get());
            }
            AccessExecutionGraph graph = cluster.getExecutionGraph(id).get();
            long maxState = 0;
            int checkpoints = 0;
            var stats = graph.getCheckpointStatsSnapshot();
            if (stats != null) {
                for (AbstractCheckpointStats c : stats.getHistory().getCheckpoints()) {
                    if (c.getStatus().isCompleted()) {
                        checkpoints++;
                        maxState = Math.max(maxState, c.getStateSize());
                    }
                }
            }
            return new Run(mode, events, result.getNetRuntime() / 1000.0, seconds, maxState, checkpoints);
        }
    }

    /** Fitting needs its own pass; throughput does not depend on the fitted numbers. */
    private static FeatureFit neutralFit(FeatureSpec spec) {
        return new FitAccumulator(spec).result();
    }

    public static Path tempCheckpoints() throws java.io.IOException {
        return Files.createTempDirectory("loopline-bench-");
    }
}
