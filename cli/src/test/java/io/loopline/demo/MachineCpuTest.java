package io.loopline.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class MachineCpuTest {
    @Test
    void busyTicksLeaveOutIdleAndIoWaitAndTheCoresAreCounted() {
        List<String> stat = List.of(
                "cpu  100 5 50 1000 20 3 2 1 40 0",
                "cpu0 50 2 25 500 10 1 1 0 20 0",
                "cpu1 50 3 25 500 10 2 1 1 20 0",
                "intr 12345",
                "ctxt 999");
        // user + nice + system + irq + softirq + steal; guest is already inside user.
        assertThat(MachineCpu.parseMachineTicks(stat)).containsExactly(100 + 5 + 50 + 3 + 2 + 1, 1000 + 20, 2);
    }

    @Test
    void anotherFileIsRefused() {
        assertThatThrownBy(() -> MachineCpu.parseMachineTicks(List.of("MemTotal: 1 kB"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not /proc/stat");
    }

    @Test
    void thisJvmsCpuIsSeenAndTheMachineIsAtLeastAsBusy() {
        assumeTrue(Files.isReadable(Path.of("/proc/stat")), "reads Linux's /proc");
        MachineCpu cpu = MachineCpu.startReading(0);
        long start = MachineCpu.processTicks("self");
        long deadline = System.nanoTime() + 20_000_000_000L;
        double sink = 0;
        // Burn CPU until the process's own clock has moved 1.2 s past the start: observed, not assumed from a sleep. And for at
        // least 1.1 s of wall time, since usage() says nothing of a shorter span: with the JIT and GC threads busy too, the
        // process's clock can pass 1.2 s sooner.
        long minimumEnd = System.nanoTime() + 1_100_000_000L;
        while ((MachineCpu.processTicks("self") - start < 120 || System.nanoTime() < minimumEnd) && System.nanoTime() < deadline) {
            for (int i = 0; i < 1_000_000; i++) {
                sink += Math.sqrt(i);
            }
        }
        assertThat(sink).isPositive();
        MachineCpu.Usage usage = cpu.usage();
        assertThat(usage).isNotNull();
        assertThat(usage.selfCores()).isPositive();
        assertThat(usage.brokerCores()).as("no local broker").isNaN();
        assertThat(usage.machineCores()).isGreaterThan(usage.selfCores() * 0.9).isLessThanOrEqualTo(usage.cores());
        assertThat(usage.restCores()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void aLoopUsingNearlyEveryCoreIsCpuBound() {
        assertThat(new MachineCpu.Usage(30, 1.4, 0.45, 1.85, 2).cpuBound()).isTrue();
        assertThat(new MachineCpu.Usage(30, 0.8, 0.3, 1.2, 2).cpuBound()).isFalse();
        assertThat(new MachineCpu.Usage(30, 0.8, 0.3, 1.2, 2).restCores()).isCloseTo(0.1, Offset.offset(1e-9));
    }
}
