package io.loopline.bench;

import io.loopline.local.ProcStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where this JVM's CPU time went during one benchmark run, by what its threads do: the job's keyed
 * task, its Kafka source, RocksDB's own threads, the JIT compilers, the garbage collector, the rest.
 * Read from Linux's {@code /proc/self/task}, which also lists the native threads (RocksDB, the
 * compilers) that Java's thread beans do not see. Elsewhere it reports nothing.
 *
 * <p>CPU time per event is steadier than events per second on a shared machine: it says which part
 * to make cheaper, where a rate only says the machine was busy.
 */
final class ThreadCpu {
    /** What a thread does, told by its name as Linux keeps it (the first 15 bytes of the Java name). */
    enum Part {
        /** The task of the keyed operator: features and scoring, or the ceiling's no-op. */
        KEYED_TASK("keyed_task"),
        /** The Kafka source's task (with decoding chained to it) and its fetcher thread. */
        SOURCE_TASK("source_task"),
        /** RocksDB's own flush and compaction threads. */
        ROCKSDB("rocksdb_background"),
        JIT("jit_compiler"),
        GC("garbage_collector"),
        /** The rest of this JVM: Flink's runtime, Kafka clients, checkpoints, the benchmark itself. */
        OTHER("other");

        /** Its name in the benchmark's JSON. */
        final String key;

        Part(String key) {
            this.key = key;
        }

        static Part of(String threadName) {
            if (threadName.startsWith("Features on") || threadName.startsWith("Keyed no-op")) {
                return KEYED_TASK;
            }
            if (threadName.startsWith("Source: ") || threadName.startsWith("Source Data Fet")) {
                return SOURCE_TASK;
            }
            if (threadName.startsWith("rocksdb:")) {
                return ROCKSDB;
            }
            if (threadName.startsWith("C1 CompilerThre") || threadName.startsWith("C2 CompilerThre")) {
                return JIT;
            }
            if (threadName.startsWith("GC Thread") || threadName.startsWith("G1 ")) {
                return GC;
            }
            return OTHER;
        }
    }

    /** Linux reports thread times in clock ticks of USER_HZ, 100 a second on every architecture Java runs on. */
    private static final double TICKS_PER_SECOND = 100.0;
    private static final Path TASKS = Path.of("/proc/self/task");

    private final Map<String, Long> startTicks = new HashMap<>();
    private final Map<String, Long> lastTicks = new HashMap<>();
    private final Map<String, Part> parts = new HashMap<>();
    private boolean started;

    static boolean available() {
        return Files.isDirectory(TASKS);
    }

    /** From now on: threads that exist now count from their current time, later ones from zero. */
    void start() {
        startTicks.clear();
        lastTicks.clear();
        parts.clear();
        read(startTicks);
        lastTicks.putAll(startTicks);
        started = true;
    }

    boolean started() {
        return started;
    }

    /** Reads every thread's time again; call it often enough to see a thread before it ends (every few hundred ms). */
    void poll() {
        if (started) {
            read(lastTicks);
        }
    }

    /** Seconds of CPU per part since {@link #start}, as of the last {@link #poll}; empty where /proc is not there. */
    Map<Part, Double> seconds() {
        Map<Part, Double> seconds = new EnumMap<>(Part.class);
        if (!started || !available()) {
            return seconds;
        }
        for (Part part : Part.values()) {
            seconds.put(part, 0.0);
        }
        lastTicks.forEach((thread, ticks) -> seconds.merge(parts.get(thread), (ticks - startTicks.getOrDefault(thread, 0L)) / TICKS_PER_SECOND,
                Double::sum));
        return seconds;
    }

    private void read(Map<String, Long> into) {
        if (!available()) {
            return;
        }
        try (Stream<Path> threads = Files.list(TASKS)) {
            threads.forEach(thread -> {
                try {
                    String stat = Files.readString(thread.resolve("stat"), StandardCharsets.US_ASCII);
                    String name = Files.readString(thread.resolve("comm"), StandardCharsets.UTF_8).strip();
                    long ticks = ProcStat.cpuTicks(stat);
                    String id = thread.getFileName() + "/" + name;
                    into.merge(id, ticks, Math::max);
                    parts.putIfAbsent(id, Part.of(name));
                } catch (IOException | RuntimeException e) {
                    // The thread ended between the listing and the read: its last reading stands.
                }
            });
        } catch (IOException e) {
            // /proc went away: the readings so far stand.
        }
    }
}
