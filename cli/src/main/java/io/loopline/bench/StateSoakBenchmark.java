package io.loopline.bench;

import io.loopline.state.serialization.EventSerializer;
import io.loopline.operators.features.FeaturePipeline;
import io.loopline.operators.features.FitAccumulator;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.state.records.Event;
import io.loopline.state.records.FeatureVector;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Does the feature state stay bounded when entities keep coming and going? A stream in which every
 * entity sends a few events and is never seen again (card numbers, sessions, devices) runs through
 * the streaming feature operators on RocksDB; every interval the table shows how many distinct
 * entities have passed, the size of the latest checkpoint (the whole RocksDB state, expired-but-not-
 * yet-compacted entries included) and the heap after a GC. With the spec's {@code idle_ttl} short,
 * the state levels off at the entities of about one TTL; with it long, it grows with every entity.
 */
public final class StateSoakBenchmark {
    /** One line of the table. */
    public record Sample(double seconds, long events, long entities, long stateBytes, long heapBytes) {}

    private final FeatureSpec spec;
    private final int eventsPerEntity;
    private final int parallelism;
    private final Duration checkpointInterval;

    public StateSoakBenchmark(FeatureSpec spec, Duration ttl, int eventsPerEntity, int parallelism, Duration checkpointInterval) {
        this.spec = spec.withIdleTtl(ttl);
        this.eventsPerEntity = eventsPerEntity;
        this.parallelism = parallelism;
        this.checkpointInterval = checkpointInterval;
    }

    /** Runs for {@code duration} (or until {@code maxEvents}), calling {@code report} every {@code interval}. */
    public List<Sample> run(Path checkpointDir, Duration duration, long maxEvents, Duration interval, Consumer<Sample> report) throws Exception {
        Configuration conf = io.loopline.jobs.LocalEnvironments.streamingConfiguration(parallelism, checkpointDir, checkpointInterval);
        conf.setString("metrics.reporter." + io.loopline.jobs.ProgressCounters.REPORTER_NAME + ".factory.class",
                io.loopline.jobs.ProgressCounters.Factory.class.getName());
        MiniClusterConfiguration clusterConfig = new MiniClusterConfiguration.Builder()
                .withRandomPorts().setConfiguration(conf).setNumTaskManagers(1).setNumSlotsPerTaskManager(parallelism).build();
        List<Sample> samples = new ArrayList<>();
        String jobName = "state-soak-" + System.nanoTime();
        try (MiniCluster cluster = new MiniCluster(clusterConfig)) {
            cluster.start();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(parallelism);
            env.setMaxParallelism(128);
            // One generator: split across subtasks, event time would run ahead on one split and pile up behind the watermark.
            var events = env.fromSource(new NumberSequenceSource(0, maxEvents - 1), WatermarkStrategy.noWatermarks(), "Generated Events")
                    .setParallelism(1)
                    .map(new ChurningEntities(eventsPerEntity, 1_767_225_600_000L))
                    .setParallelism(1)
                    .returns(EventSerializer.TYPE_INFO)
                    .name("Churning Entities");
            FeaturePipeline pipeline = new FeaturePipeline(spec).onArrival(); // as serving runs it
            pipeline.transform(pipeline.aggregate(events).rows(), new FitAccumulator(spec).result())
                    .sinkTo(new DiscardingSink<FeatureVector>())
                    .name("Discard");
            var graph = env.getStreamGraph();
            graph.setJobName(jobName);
            JobID id = cluster.submitJob(graph.getJobGraph()).get().getJobID();
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            long next = start + interval.toNanos();
            try {
                while (System.nanoTime() < end && !cluster.getJobStatus(id).get().isGloballyTerminalState()) {
                    Thread.sleep(Math.max(1, (next - System.nanoTime()) / 1_000_000));
                    if (System.nanoTime() >= next) {
                        next += interval.toNanos();
                        long processed = io.loopline.jobs.ProgressCounters.sum(jobName, ChurningEntities.COUNTER);
                        Sample sample = new Sample((System.nanoTime() - start) / 1e9, processed, processed / eventsPerEntity,
                                latestStateSize(cluster, id), heapAfterGc());
                        samples.add(sample);
                        report.accept(sample);
                    }
                }
                if (cluster.getJobStatus(id).get() == JobStatus.FAILED) {
                    throw new IllegalStateException("soak job failed", cluster.requestJobResult(id).get().getSerializedThrowable()
                            .map(t -> t.deserializeError(getClass().getClassLoader())).orElse(null));
                }
            } finally {
                if (!cluster.getJobStatus(id).get().isGloballyTerminalState()) {
                    cluster.cancelJob(id).get();
                }
                io.loopline.jobs.ProgressCounters.forget(jobName);
            }
        }
        return samples;
    }

    private static long latestStateSize(MiniCluster cluster, JobID id) throws Exception {
        var stats = cluster.getExecutionGraph(id).get().getCheckpointStatsSnapshot();
        if (stats == null) {
            return 0;
        }
        long latest = -1;
        long size = 0;
        for (AbstractCheckpointStats c : stats.getHistory().getCheckpoints()) {
            if (c.getStatus().isCompleted() && c.getCheckpointId() > latest) {
                latest = c.getCheckpointId();
                size = c.getStateSize(); // the full state a restore reads, not the incremental upload
            }
        }
        return size;
    }

    private static long heapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** Event i belongs to entity i / k: each entity sends k events in a row and is never seen again. */
    static final class ChurningEntities extends RichMapFunction<Long, Event> {
        private static final long serialVersionUID = 1L;
        static final String COUNTER = "soak_events";

        private final int eventsPerEntity;
        private final long startMillis;
        private transient Counter processed;

        ChurningEntities(int eventsPerEntity, long startMillis) {
            this.eventsPerEntity = eventsPerEntity;
            this.startMillis = startMillis;
        }

        @Override
        public void open(OpenContext context) {
            processed = getRuntimeContext().getMetricGroup().counter(COUNTER);
        }

        @Override
        public Event map(Long index) {
            processed.inc();
            long i = index;
            long h = SyntheticEvents.mix(i);
            return new Event("s" + i, "entity-" + (i / eventsPerEntity), startMillis + i,
                    new double[] {1 + Math.floorMod(h >>> 20, 50_000) / 100.0, Math.floorMod(h >>> 40, 3650)},
                    new String[] {"grocery", "DE", "web"}, Double.NaN);
        }
    }
}
