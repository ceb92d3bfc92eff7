package io.loopline.demo;

import io.loopline.local.ProcStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How busy the machine was during the demo's live run, and who kept it busy: this JVM (the generator,
 * both jobs, the demo's consumers), the local broker's process, and the rest of the machine. A loop
 * that needs all the cores cannot keep up with the rate it is given; its latency is then queueing,
 * not the path's, and the summary says so. Read from Linux's {@code /proc}; elsewhere it reports
 * nothing.
 */
public final class MachineCpu {
    /** Linux reports process times in clock ticks of USER_HZ, 100 a second on every architecture Java runs on. */
    private static final double TICKS_PER_SECOND = 100.0;
    /** Busier than this share of every core counts as CPU-bound: queues grow faster than they drain. */
    static final double CPU_BOUND_SHARE = 0.9;

    /** Cores busy on average over the span read; {@code brokerCores} is NaN without a local broker. */
    public record Usage(double seconds, double selfCores, double brokerCores, double machineCores, int cores) {
        public boolean cpuBound() {
            return machineCores >= CPU_BOUND_SHARE * cores;
        }

        public double restCores() {
            return Math.max(0, machineCores - selfCores - (Double.isNaN(brokerCores) ? 0 : brokerCores));
        }
    }

    private final long brokerPid;
    private final long startNanos;
    private final long selfStart;
    private final long brokerStart;
    private final long[] machineStart;

    private MachineCpu(long brokerPid) {
        this.brokerPid = brokerPid;
        this.startNanos = System.nanoTime();
        this.selfStart = processTicks("self");
        this.brokerStart = brokerPid > 0 ? processTicks(Long.toString(brokerPid)) : -1;
        this.machineStart = machineTicks();
    }

    /** Starts reading now; {@code brokerPid} is the local broker's process, or 0 when the broker runs elsewhere. */
    static MachineCpu startReading(long brokerPid) {
        return new MachineCpu(brokerPid);
    }

    /** Usage since {@link #startReading}, or null where /proc is not there (or the span is too short to say). */
    Usage usage() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        long self = processTicks("self");
        long[] machine = machineTicks();
        if (seconds < 1 || self < 0 || selfStart < 0 || machine == null || machineStart == null) {
            return null;
        }
        long broker = brokerStart >= 0 ? processTicks(Long.toString(brokerPid)) : -1;
        long busy = machine[0] - machineStart[0];
        long all = busy + machine[1] - machineStart[1];
        int cores = (int) machine[2];
        double machineCores = all > 0 ? cores * (double) busy / all : Double.NaN;
        return new Usage(seconds, (self - selfStart) / TICKS_PER_SECOND / seconds,
                broker >= 0 ? (broker - brokerStart) / TICKS_PER_SECOND / seconds : Double.NaN, machineCores, cores);
    }

    /** utime + stime of a process (all its threads), or -1 when it cannot be read (not Linux, or the process is gone). */
    static long processTicks(String pid) {
        try {
            return ProcStat.cpuTicks(Files.readString(Path.of("/proc", pid, "stat"), StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {busy ticks, idle ticks, cores} of the whole machine from /proc/stat, or null. */
    static long[] machineTicks() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII);
            return parseMachineTicks(lines);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The first line sums every core: user nice system idle iowait irq softirq steal; each core has its own "cpuN" line. */
    static long[] parseMachineTicks(List<String> procStat) {
        String[] total = procStat.get(0).trim().split("\\s+");
        if (!total[0].equals("cpu")) {
            throw new IllegalArgumentException("not /proc/stat: " + procStat.get(0));
        }
        long idle = Long.parseLong(total[4]) + Long.parseLong(total[5]);
        long busy = 0;
        for (int i = 1; i <= 8 && i < total.length; i++) {
            if (i != 4 && i != 5) {
                busy += Long.parseLong(total[i]);
            }
        }
        long cores = procStat.stream().filter(line -> line.matches("cpu\\d+ .*")).count();
        return new long[] {busy, idle, cores};
    }
}
