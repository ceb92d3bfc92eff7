package io.loopline.demo;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What the demo runs.
 *
 * @param bootstrapServers an existing Kafka, or null to start the local broker
 * @param historyEvents labelled events generated as history and backfilled before serving
 * @param events live events to generate; 0 runs until interrupted
 * @param ratePerSecond generation rate; 0 is as fast as possible
 * @param stateDir where checkpoints go; null for a temporary folder
 * @param driftAt share of the live events after which the stream drifts (amounts x4, a fraud ring at electronics and gaming merchants)
 * @param report where the HTML report goes; null for none
 * @param predictionsDelivery at least once (readable within milliseconds) or exactly once (at checkpoint commit)
 */
public record DemoSettings(
        String bootstrapServers,
        long historyEvents,
        long events,
        double ratePerSecond,
        int entities,
        double malformedRatio,
        long seed,
        int parallelism,
        int maxParallelism,
        Duration checkpointInterval,
        Duration timeout,
        Path stateDir,
        String eventsTopic,
        String featureLogTopic,
        String predictionsTopic,
        String modelsTopic,
        String deadLetterTopic,
        String labelsTopic,
        String driftTopic,
        double driftAt,
        Path report,
        io.loopline.kafka.PredictionDelivery predictionsDelivery) {

    /** With predictions delivered at least once (readable within milliseconds). */
    public DemoSettings(String bootstrapServers, long historyEvents, long events, double ratePerSecond, int entities, double malformedRatio, long seed,
            int parallelism, int maxParallelism, Duration checkpointInterval, Duration timeout, Path stateDir, String eventsTopic,
            String featureLogTopic, String predictionsTopic, String modelsTopic, String deadLetterTopic, String labelsTopic, String driftTopic,
            double driftAt, Path report) {
        this(bootstrapServers, historyEvents, events, ratePerSecond, entities, malformedRatio, seed, parallelism, maxParallelism, checkpointInterval,
                timeout, stateDir, eventsTopic, featureLogTopic, predictionsTopic, modelsTopic, deadLetterTopic, labelsTopic, driftTopic, driftAt, report,
                io.loopline.kafka.PredictionDelivery.AT_LEAST_ONCE);
    }

    public DemoSettings {
        require(historyEvents >= 1, "--history must be >= 1, got " + historyEvents);
        require(events >= 0, "--events must be >= 0, got " + events);
        require(ratePerSecond >= 0, "--rate must be >= 0, got " + ratePerSecond);
        require(entities >= 1, "--entities must be >= 1, got " + entities);
        require(malformedRatio >= 0 && malformedRatio < 1, "--malformed-ratio must be in [0, 1), got " + malformedRatio);
        require(parallelism >= 1, "--parallelism must be >= 1, got " + parallelism);
        require(maxParallelism >= parallelism, "--max-parallelism must be >= --parallelism, got " + maxParallelism);
        require(!checkpointInterval.isNegative() && !checkpointInterval.isZero(), "--checkpoint-interval must be positive");
        require(!timeout.isNegative() && !timeout.isZero(), "--timeout must be positive");
        require(driftAt > 0 && driftAt < 1, "--drift-at must be in (0, 1), got " + driftAt);
        java.util.Objects.requireNonNull(predictionsDelivery, "predictionsDelivery");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
