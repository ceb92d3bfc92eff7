package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loopline.local.BrokerStartException;
import io.loopline.local.LocalKafka;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local broker really starts, reports failures with their cause, and never outlives us. */
class LocalKafkaITCase {

    @AfterEach
    void noBrokerIsLeftBehind() throws InterruptedException {
        Await.within(Duration.ofSeconds(30), () -> BrokerProcesses.descendantsRunningKafka().isEmpty());
        assertThat(BrokerProcesses.descendantsRunningKafka()).isEmpty();
    }

    @Test
    void startsARealBrokerAndStopsItCleanly() throws Exception {
        long pid;
        try (LocalKafka kafka = LocalKafka.start()) {
            pid = kafka.pid();
            assertThat(ProcessHandle.of(pid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
            assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (Admin admin = Admin.create(props)) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
            }
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void aPortInUseIsReportedWithItsCauseAndTheLogTail() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> LocalKafka.start(LocalKafka.Settings.defaults().withBrokerPort(port).withStartTimeout(Duration.ofSeconds(60))))
                    .isInstanceOf(BrokerStartException.class)
                    .hasMessageContaining("failed to start")
                    .hasMessageContaining("already in use")
                    .hasMessageContaining(String.valueOf(port))
                    .hasMessageContaining("--- last lines of");
        }
        assertThat(BrokerProcesses.descendantsRunningKafka()).isEmpty();
    }

    @Test
    void missingBrokerJarsAreReportedWithTheFix(@TempDir Path empty) {
        assertThatThrownBy(() -> LocalKafka.start(LocalKafka.Settings.defaults().withLibDir(empty)))
                .isInstanceOf(BrokerStartException.class)
                .hasMessageContaining(empty.toString())
                .hasMessageContaining("mvn -B -DskipTests package");
    }

    @Test
    void aMissingJavaIsReported() {
        assertThatThrownBy(() -> LocalKafka.start(LocalKafka.Settings.defaults().withJavaCommand("/nonexistent/bin/java")))
                .isInstanceOf(BrokerStartException.class)
                .hasMessageContaining("cannot run java at '/nonexistent/bin/java'");
    }

    @Test
    void theBrokerDiesWithItsParentEvenOnSigkill() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process parent = new ProcessBuilder(List.of(java,
                        "-D" + "loopline.kafka.lib=" + System.getProperty("loopline.kafka.lib"),
                        "-cp", System.getProperty("java.class.path"), LocalKafkaHolder.class.getName()))
                .redirectErrorStream(true)
                .start();
        long brokerPid;
        try (var out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            brokerPid = awaitBrokerPid(out);
            assertThat(ProcessHandle.of(brokerPid).map(ProcessHandle::isAlive).orElse(false)).isTrue();

            parent.destroyForcibly(); // SIGKILL: no shutdown hook runs in the parent
            assertThat(parent.waitFor(30, TimeUnit.SECONDS)).isTrue();

            assertThat(BrokerProcesses.awaitExit(brokerPid, Duration.ofSeconds(45)))
                    .as("broker %d exits after its parent was killed", brokerPid)
                    .isTrue();
        } finally {
            parent.destroyForcibly();
        }
    }

    private static long awaitBrokerPid(BufferedReader out) throws Exception {
        // readLine blocks until the holder prints; the holder itself fails within LocalKafka's start timeout.
        StringBuilder seen = new StringBuilder();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("BROKER_PID ")) {
                return Long.parseLong(line.substring("BROKER_PID ".length()).trim());
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("the holder JVM ended without starting a broker:\n" + seen);
    }
}
