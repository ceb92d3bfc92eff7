package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.junit.jupiter.api.Test;
import org.rocksdb.CompressionType;

/** deploy/flink-conf/config.yaml parses with Flink's own loader and says what the docs claim. */
class ClusterConfigTest {
    private static final Path CONF_DIR = Path.of("..", "deploy", "flink-conf");

    @Test
    void theClusterConfigIsReadAsIntended() {
        assertThat(Files.isRegularFile(CONF_DIR.resolve("config.yaml"))).isTrue();
        Configuration conf = GlobalConfiguration.loadConfiguration(CONF_DIR.toString());

        assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(conf.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE)).isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(10));
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).startsWith("file:///");
        assertThat(conf.get(CheckpointingOptions.SAVEPOINT_DIRECTORY)).startsWith("file:///");
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(conf.get(PipelineOptions.GENERIC_TYPES)).isFalse();
        assertThat(conf.get(org.apache.flink.configuration.ExecutionOptions.BUFFER_TIMEOUT)).as("scoring on arrival").isEqualTo(Duration.ofMillis(10));
        assertThat(conf.get(PipelineOptions.MAX_PARALLELISM)).isEqualTo(128);
        assertThat(conf.get(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL)).containsExactly(CompressionType.LZ4_COMPRESSION);
        assertThat(ConfigurationUtils.getPrefixedKeyValuePairs("metrics.reporter.prom.", conf))
                .containsEntry("factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                .containsEntry("port", "9250-9260");
    }
}
