package io.loopline.jobs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rocksdb.CompressionType;

/**
 * The embedded MiniCluster the demo runs in, set up like {@code deploy/flink-conf/config.yaml}:
 * RocksDB with incremental checkpoints, exactly-once checkpointing, a bounded restart strategy, and
 * no generic (Kryo) types. On a real cluster these settings come from the cluster's config.yaml.
 */
public final class LocalEnvironments {
    /** The address the embedded cluster's endpoints (REST, RPC, data exchange) bind to; loopback unless set. */
    public static final String BIND_ADDRESS_PROPERTY = "loopline.bind-address";

    private LocalEnvironments() {}

    /** {@code -Dloopline.bind-address} or {@code LOOPLINE_BIND_ADDRESS}; 127.0.0.1 by default, so nothing listens beyond this machine. */
    public static String bindAddress() {
        String value = System.getProperty(BIND_ADDRESS_PROPERTY, System.getenv().getOrDefault("LOOPLINE_BIND_ADDRESS", "127.0.0.1"));
        return value.isBlank() ? "127.0.0.1" : value.trim();
    }

    public static Configuration streamingConfiguration(int parallelism, Path checkpointDir, Duration checkpointInterval) {
        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        // Timers only cover events inside the out-of-orderness bound: few, so the heap is the cheap place.
        conf.setString("state.backend.rocksdb.timer-service.factory", "HEAP");
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(256));
        // Most reads are of entities that exist in only one level: bloom filters skip the others.
        conf.setString("state.backend.rocksdb.use-bloom-filter", "true");
        // Each event reads and rewrites its entity's value, so most reads decompress a block: LZ4 does that at a fraction of
        // Snappy's (Flink's default) CPU, for state of about the same size (bench features STREAMING, 2M-4M events: +35-60 %).
        conf.set(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL, List.of(CompressionType.LZ4_COMPRESSION));
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir.toUri().toString());
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, org.apache.flink.core.execution.CheckpointingMode.EXACTLY_ONCE);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // Events are scored on arrival: a network buffer waits at most this long before it is shipped (Flink's default is 100 ms
        // per shuffle; under load buffers fill and ship earlier anyway).
        conf.set(org.apache.flink.configuration.ExecutionOptions.BUFFER_TIMEOUT, Duration.ofMillis(10));
        // Flink binds its REST endpoint to every interface unless told otherwise.
        String bind = bindAddress();
        conf.set(org.apache.flink.configuration.RestOptions.BIND_ADDRESS, bind);
        conf.set(org.apache.flink.configuration.JobManagerOptions.BIND_HOST, bind);
        conf.set(org.apache.flink.configuration.TaskManagerOptions.BIND_HOST, bind);
        if (!bind.equals("0.0.0.0") && !bind.equals("::")) {
            // An address to connect to, not a wildcard: with a wildcard bind Flink picks the host's own address.
            conf.set(org.apache.flink.configuration.RestOptions.ADDRESS, bind);
            conf.set(org.apache.flink.configuration.TaskManagerOptions.HOST, bind);
        }
        // Every Loopline record is immutable (or copied by its serializer), so chained operators may share them.
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        return conf;
    }

    /** Starts the job from a savepoint, e.g. the backfill's feature state (no cold start). */
    public static Configuration restoringFrom(Configuration conf, String savepointPath) {
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepointPath);
        conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, false);
        return conf;
    }

    public static StreamExecutionEnvironment streaming(int parallelism, Path checkpointDir, Duration checkpointInterval) {
        return StreamExecutionEnvironment.getExecutionEnvironment(
                streamingConfiguration(parallelism, checkpointDir, checkpointInterval));
    }
}
