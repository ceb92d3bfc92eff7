package io.loopline.cli;

import io.loopline.synthetic.HistoryWriter;
import io.loopline.synthetic.TransactionGenerator;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = "Writes synthetic card transactions (the demo's stream, with the fraud label is_fraud) as JSON lines: "
                + "history for `loopline backfill --spec transactions`.",
        sortOptions = false)
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--output", required = true, description = "File to write (JSON lines).")
    Path output;

    @Option(names = "--events", defaultValue = "100000", description = "Events to write (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--entities", defaultValue = "10000", description = "Distinct cards (default: ${DEFAULT-VALUE}).")
    int entities;

    @Option(names = "--seed", defaultValue = "42", description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--start", defaultValue = "2026-01-01T00:00:00Z",
            description = "Event time of the first event, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Instant start;

    @Option(names = "--malformed-ratio", defaultValue = "0", description = "Share of malformed lines (default: ${DEFAULT-VALUE}).")
    double malformedRatio;

    @Option(names = "--disorder", defaultValue = "0ms",
            description = "Shuffle events locally so that none is more than this far out of event-time order, "
                    + "as real streams arrive (default: ${DEFAULT-VALUE}).")
    Duration disorder;

    @Option(names = "--no-labels", description = "Leave the label out (live events do not carry it).")
    boolean noLabels;

    @Override
    public Integer call() throws Exception {
        var generator = new TransactionGenerator(seed, entities, malformedRatio, start.toEpochMilli(), !noLabels);
        long written;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(output), 1 << 16)) {
            written = HistoryWriter.write(generator, events, disorder, seed, out).size();
        }
        System.out.printf("Wrote %,d events to %s%n", written, output);
        return 0;
    }
}
