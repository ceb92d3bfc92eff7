package io.loopline.kafka;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * How predictions reach their topic. {@code exactly-once}: in Kafka transactions, readable by
 * {@code read_committed} consumers when the checkpoint that wrote them commits (latency up to the
 * checkpoint interval), never twice. {@code at-least-once}: written as they are scored (latency in
 * milliseconds), keyed by event id so consumers can drop the repeats a restart replays. The feature
 * log that training reads stays exactly-once either way.
 */
public enum PredictionDelivery {
    EXACTLY_ONCE("exactly-once", DeliveryGuarantee.EXACTLY_ONCE),
    AT_LEAST_ONCE("at-least-once", DeliveryGuarantee.AT_LEAST_ONCE);

    private final String key;
    private final DeliveryGuarantee guarantee;

    PredictionDelivery(String key, DeliveryGuarantee guarantee) {
        this.key = key;
        this.guarantee = guarantee;
    }

    /** As written in configuration and on the command line. */
    public String key() {
        return key;
    }

    public DeliveryGuarantee guarantee() {
        return guarantee;
    }

    /** @throws IllegalArgumentException naming the allowed values */
    public static PredictionDelivery parse(String value) {
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        for (PredictionDelivery d : values()) {
            if (d.key.equals(wanted)) {
                return d;
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not one of " + Arrays.stream(values()).map(PredictionDelivery::key)
                .collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return key;
    }
}
