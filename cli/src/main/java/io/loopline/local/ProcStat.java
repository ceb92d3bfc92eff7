package io.loopline.local;

/** Linux's {@code /proc/<pid>/stat} and {@code /proc/<pid>/task/<tid>/stat} lines, read the one way both readers need. */
public final class ProcStat {
    private ProcStat() {}

    /** utime + stime, in clock ticks (USER_HZ, 100 a second on every architecture Java runs on). */
    public static long cpuTicks(String stat) {
        // The name in stat is in parentheses and may hold spaces or parentheses: the fields after the last ')' are fixed.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // fields 14 and 15 of stat
    }
}
