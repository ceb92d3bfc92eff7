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
        Path report = stateDir.resolve("report.html");
        var settings = new DemoSettings(null, 20_000, 60_000, 5000, 2_000, 0.002, 11, 2, 128, Duration.ofMillis(500), Duration.ofMinutes(4),
                stateDir, "events", "feature-log", "predictions", "models", "dead-letters", "labels", "drift", 0.3, report);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        DemoSummary summary;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            summary = new DemoRun(settings, out).withLatencyWarmUp(Duration.ofSeconds(3)).run();
        }
        String output = printed.toString(StandardCharsets.UTF_8);
        System.out.println("DEMO-OUTPUT\n" + output);

        assertThat(summary.complete()).as(output).isTrue();
        assertThat(summary.produced()).as("the planned events, and more until the retrained model is measured").isGreaterThanOrEqualTo(60_000L);
        assertThat(summary.historyRows()).isPositive().isLessThanOrEqualTo(20_000);
        assertThat(summary.distinctFeatures()).isEqualTo(summary.validProduced());
        assertThat(summary.duplicates()).isZero();
        assertThat(summary.servingDeadLetters()).isEqualTo(summary.malformedProduced()).isPositive();
        assertThat(summary.distinctPredictions()).isEqualTo(summary.validProduced());
        assertThat(output).contains("retraining triggered");
        assertThat(summary.promotions()).as(output).isNotEmpty();
        assertThat(summary.predictionsByVersion()).as("a retrained version took over without a restart").containsKey(1L).hasSizeGreaterThan(1);
        assertThat(summary.predictionsByVersion().values()).allMatch(n -> n > 0);
        // isNotNaN first: AssertJ orders NaN above every number, so a story that was never measured would pass isGreaterThan.
        assertThat(summary.accuracyBeforeDrift()).as(output).isNotNaN();
        assertThat(summary.accuracyAfterDrift()).as(output).isNotNaN().isLessThan(summary.accuracyBeforeDrift() - 0.05);
        assertThat(summary.accuracyAfterPromotion()).as("accuracy recovers once the retrained version serves\n" + output)
                .isNotNaN().isGreaterThan(summary.accuracyAfterDrift() + 0.03);
        String html = java.nio.file.Files.readString(report);
        for (String chart : io.loopline.demo.report.DemoReport.CHARTS) {
            assertThat(html).contains("id=\"" + chart + "\"");
        }
        assertThat(html).contains("class=\"marker promotion\"", "data-series=\"v2\"");
        assertThat(summary.detections().keySet()).as(output).anyMatch(detector -> !detector.endsWith("(before the drift)"));
        assertThat(summary.driftedFeatures()).as(output).containsKey("amount_log");
        assertThat(summary.chargebacks()).isPositive();
        assertThat(output).containsPattern("by merchant \\(slices\\)   v\\d \\{electronics=");
        assertThat(summary.recoveryMillis()).as("a version promoted after the drift served half of a minute's predictions\n" + output)
                .isPositive();
        assertThat(html).contains("class=\"marker recovery\"");
        assertThat(summary.exactlyOnce()).isTrue();
        assertThat(summary.predictionsDelivery()).isEqualTo("at-least-once");
        assertThat(summary.p99LatencyMillis()).as("end-to-end latency measured").isNotNaN().isGreaterThanOrEqualTo(summary.p50LatencyMillis());
        // Not compared with the whole run's: on a busy machine the backlog may build after the warm-up, not during it.
        assertThat(summary.steadyP99LatencyMillis()).as("latency after the warm-up measured").isNotNaN()
                .isGreaterThanOrEqualTo(summary.steadyP50LatencyMillis());
        if (java.nio.file.Files.isReadable(Path.of("/proc/stat"))) {
            assertThat(summary.cpu()).as("the machine's CPU during the live run").isNotNull();
            assertThat(summary.cpu().selfCores()).as("the demo's JVM ran both jobs").isPositive();
            assertThat(summary.cpu().brokerCores()).as("the local broker served every topic").isPositive();
            assertThat(summary.cpu().machineCores()).as("the machine's busy cores include the JVM's").isGreaterThan(summary.cpu().selfCores() * 0.9);
            assertThat(output).contains("CPU (live run)");
        }
        assertThat(output).contains("Loopline demo summary", "exactly-once           yes", "Local Kafka broker stopped.");
        assertThat(BrokerProcesses.descendantsRunningKafka()).isEmpty();
    }
}
