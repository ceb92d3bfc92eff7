package io.loopline.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** How long a command that runs a job in this JVM lets it run: {@code serve} and {@code learn}. */
final class RunDuration {
    @Option(names = "--duration", defaultValue = "0s", description = "Stop after this long; 0s runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    Duration duration;

    /** When the job should stop, as a {@link System#nanoTime()} deadline (never for 0s). */
    long deadlineNanos() {
        return duration.isZero() ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
    }
}
