package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.local.LocalKafka;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A real Kafka broker process for a test class; checks on the way out that the process is gone. */
final class LocalKafkaExtension implements BeforeAllCallback, AfterAllCallback {
    private LocalKafka kafka;

    @Override
    public void beforeAll(ExtensionContext context) {
        kafka = LocalKafka.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        long pid = kafka.pid();
        kafka.close();
        assertThat(BrokerProcesses.awaitExit(pid, Duration.ofSeconds(30))).as("broker pid %d exited", pid).isTrue();
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }
}
