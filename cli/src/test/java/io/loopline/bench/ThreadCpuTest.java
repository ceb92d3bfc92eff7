package io.loopline.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

    @Test
    void tellsThreadsApartByTheNameLinuxKeeps() {
        // Linux keeps the first 15 bytes of a Java thread's name.
        assertThat(ThreadCpu.Part.of("Features on Arr")).isEqualTo(ThreadCpu.Part.KEYED_TASK);
        assertThat(ThreadCpu.Part.of("Keyed no-op -> ")).isEqualTo(ThreadCpu.Part.KEYED_TASK);
        assertThat(ThreadCpu.Part.of("Source: Events ")).isEqualTo(ThreadCpu.Part.SOURCE_TASK);
        assertThat(ThreadCpu.Part.of("Source Data Fet")).isEqualTo(ThreadCpu.Part.SOURCE_TASK);
        assertThat(ThreadCpu.Part.of("rocksdb:low")).isEqualTo(ThreadCpu.Part.ROCKSDB);
        assertThat(ThreadCpu.Part.of("C2 CompilerThre")).isEqualTo(ThreadCpu.Part.JIT);
        assertThat(ThreadCpu.Part.of("GC Thread#1")).isEqualTo(ThreadCpu.Part.GC);
        assertThat(ThreadCpu.Part.of("flink-pekko.act")).isEqualTo(ThreadCpu.Part.OTHER);
    }

    @Test
    void keepsTheCpuOfAThreadThatEndedAfterAPoll() throws Exception {
        assumeTrue(ThreadCpu.available(), "needs Linux's /proc/self/task");
        var cpu = new ThreadCpu();
        cpu.start();
        long busyNanos = TimeUnit.MILLISECONDS.toNanos(300);
        var burned = new CountDownLatch(1);
        var polled = new CountDownLatch(1);
        Thread task = new Thread(() -> {
            var bean = ManagementFactory.getThreadMXBean();
            long begin = bean.getCurrentThreadCpuTime();
            double sink = 0;
            while (bean.getCurrentThreadCpuTime() - begin < busyNanos) {
                sink += Math.sqrt(sink + 1);
            }
            burned.countDown();
            try {
                polled.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (sink < 0) {
                throw new AssertionError();
            }
        }, "Features on Arrival (1/2)#0");
        task.start();
        assertThat(burned.await(2, TimeUnit.MINUTES)).as("the task burned its CPU").isTrue();
        cpu.poll();
        polled.countDown();
        task.join();
        cpu.poll(); // the thread is gone: its last reading stands

        Map<ThreadCpu.Part, Double> seconds = cpu.seconds();
        // The kernel counts in 10 ms ticks.
        assertThat(seconds.get(ThreadCpu.Part.KEYED_TASK)).isBetween(0.28, 1.0);
        assertThat(seconds.get(ThreadCpu.Part.ROCKSDB)).isZero();
    }

    @Test
    void reportsNothingBeforeItStarts() {
        assertThat(new ThreadCpu().seconds()).isEmpty();
    }
}
