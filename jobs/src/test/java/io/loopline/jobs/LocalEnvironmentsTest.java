package io.loopline.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rocksdb.CompressionType;

class LocalEnvironmentsTest {
    @AfterEach
    void clearProperty() {
        System.clearProperty(LocalEnvironments.BIND_ADDRESS_PROPERTY);
    }

    @Test
    void theEmbeddedClusterListensOnLoopbackUnlessToldOtherwise() {
        var conf = LocalEnvironments.streamingConfiguration(1, Path.of("/tmp/ckpt"), Duration.ofSeconds(1));
        assertThat(conf.get(RestOptions.BIND_ADDRESS)).isEqualTo("127.0.0.1");
        assertThat(conf.get(JobManagerOptions.BIND_HOST)).isEqualTo("127.0.0.1");
        assertThat(conf.get(TaskManagerOptions.BIND_HOST)).isEqualTo("127.0.0.1");

        System.setProperty(LocalEnvironments.BIND_ADDRESS_PROPERTY, "0.0.0.0");
        var everywhere = LocalEnvironments.streamingConfiguration(1, Path.of("/tmp/ckpt"), Duration.ofSeconds(1));
        assertThat(everywhere.get(RestOptions.BIND_ADDRESS)).isEqualTo("0.0.0.0");
        assertThat(everywhere.contains(TaskManagerOptions.HOST)).as("a wildcard is not an address to connect to").isFalse();
    }

    @Test
    void rocksDbCompressesWithLz4AsTheClusterConfigDoes() {
        var conf = LocalEnvironments.streamingConfiguration(1, Path.of("/tmp/ckpt"), Duration.ofSeconds(1));
        assertThat(conf.get(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL)).containsExactly(CompressionType.LZ4_COMPRESSION);
    }
}
