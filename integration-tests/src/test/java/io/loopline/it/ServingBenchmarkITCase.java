package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.bench.ServingBenchmark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * `loopline bench serving` on a small input: every run completes and reports, the swap happens in
 * every subtask, and the latency run reads its predictions back. (The figures themselves are
 * measured by the command, not judged here.)
 */
class ServingBenchmarkITCase {
    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @Test
    void everyRunReportsAndTheSwapReachesEverySubtask() throws Exception {
        var settings = new ServingBenchmark.Settings(100_000, 2_000, 2, 256, 5, 0.02, Duration.ofSeconds(12), 1_000, Duration.ofSeconds(2),
                KAFKA.bootstrapServers());
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        ServingBenchmark.Result r;
        try (PrintStream out = new PrintStream(progress, true, StandardCharsets.UTF_8)) {
            r = new ServingBenchmark(settings, out).run();
        }
        String printed = progress.toString(StandardCharsets.UTF_8);
        assertThat(r.fullEventsPerSecond()).as(printed).isPositive();
        assertThat(r.noModelEventsPerSecond()).isPositive();
        assertThat(r.ceilingEventsPerSecond()).as("(f) the ceiling, keyed no-op").isPositive();
        assertThat(r.fullVsCeiling()).isPositive().isFinite();
        assertThat(r.perEventEventsPerSecond()).isPositive();
        assertThat(r.shadowEventsPerSecond()).as("(e) with a shadow").isPositive();
        assertThat(r.perEventEvents()).isEqualTo(2_000);
        assertThat(r.fullSwaps()).as("each subtask's output changes version once in (a)").isEqualTo(2);
        assertThat(r.swaps()).as("and once in (d)").isEqualTo(2);
        assertThat(r.swapMaxGapMillis()).isPositive();
        assertThat(r.latencySamples()).as("predictions of the live run were read back").isGreaterThan(500);
        assertThat(r.p99LatencyMillis()).isGreaterThanOrEqualTo(r.p50LatencyMillis()).isPositive();
        assertThat(r.p50KafkaHopMillis()).as("(g) one Kafka hop was measured").isNotNaN().isGreaterThanOrEqualTo(0);
        assertThat(r.p99KafkaHopMillis()).isGreaterThanOrEqualTo(r.p50KafkaHopMillis());
        assertThat(r.p50ScoredMillis()).as("scored before its prediction was read").isNotNaN().isLessThanOrEqualTo(r.p50LatencyMillis());
        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/task"))) {
            for (String run : java.util.List.of("full", "no_model", "ceiling")) {
                var cpu = r.cpuMicrosPerEvent().get(run);
                assertThat(cpu.get("keyed_task")).as("%s: the keyed task's CPU per event", run).isPositive();
                assertThat(cpu.get("total")).as(run).isGreaterThan(cpu.get("keyed_task"));
            }
        }
    }
}
