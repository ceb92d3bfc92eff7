package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.demo.DemoRun;
import io.loopline.demo.DemoSettings;
import io.loopline.demo.DemoSummary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `loopline demo` end to end: its own broker, its own MiniCluster, a checked summary, nothing left running. */
class DemoRunITCase {

    @Test
    void theDemoCommitsEveryEventOnceAndLeavesNothingRunning(@TempDir Path stateDir) throws Exception {
        var settings = new DemoSettings(null, 20_000, 60_000, 0, 2_000, 0.002, 11, 2, 128, Duration.ofMillis(500), Duration.ofMinutes(4),
                stateDir, "events", "feature-log", "predictions", "models", "dead-letters", "labels", "drift");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        DemoSummary summary;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            summary = new DemoRun(settings, out).run();
        }
        String output = printed.toString(StandardCharsets.UTF_8);

        assertThat(summary.complete()).as(output).isTrue();
        assertThat(summary.produced()).isEqualTo(60_000);
        assertThat(summary.historyRows()).isPositive().isLessThanOrEqualTo(20_000);
        assertThat(summary.distinctFeatures()).isEqualTo(summary.validProduced());
        assertThat(summary.duplicates()).isZero();
        assertThat(summary.servingDeadLetters()).isEqualTo(summary.malformedProduced()).isPositive();
        assertThat(summary.distinctPredictions()).isEqualTo(summary.validProduced());
        assertThat(summary.predictionsByVersion()).as("v2 is announced mid-stream and takes over").containsOnlyKeys(1L, 2L);
        assertThat(summary.predictionsByVersion().values()).allMatch(n -> n > 0);
        assertThat(output).contains("announced fraud v2");
        assertThat(summary.detections().keySet()).as(output).anyMatch(detector -> !detector.endsWith("(before the drift)"));
        assertThat(summary.driftedFeatures()).as(output).containsKey("amount_log");
        assertThat(summary.chargebacks()).isPositive();
        assertThat(output).containsPattern("by merchant \\(slices\\)   v\\d \\{electronics=");
        assertThat(summary.exactlyOnce()).isTrue();
        assertThat(output).contains("Loopline demo summary", "exactly-once           yes", "Local Kafka broker stopped.");
        assertThat(BrokerProcesses.descendantsRunningKafka()).isEmpty();
    }
}
