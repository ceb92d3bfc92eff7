package io.loopline.kafka;

import java.io.Serializable;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where Kafka is and how to talk to it: the bootstrap servers plus client settings that every Kafka
 * client Loopline creates receives unchanged (sources, sinks, admin, producers, consumers): security
 * ({@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code ssl.*}),
 * client ids, timeouts. Settings Loopline must control itself for exactly-once are refused with the
 * reason, so a config cannot quietly break the guarantees.
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> clientProperties) implements Serializable {
    /** Set per client by Loopline: transactions, isolation, serialization and offsets depend on them. */
    static final Set<String> CONTROLLED = Set.of("bootstrap.servers", "transactional.id", "isolation.level", "enable.idempotence",
            "key.serializer", "value.serializer", "key.deserializer", "value.deserializer", "group.id", "enable.auto.commit",
            "auto.offset.reset");

    public KafkaConnection {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers are required (host:port[,host:port...])");
        }
        for (String key : clientProperties.keySet()) {
            if (CONTROLLED.contains(key)) {
                throw new IllegalArgumentException("Kafka client setting '" + key + "' is set by Loopline for each client"
                        + (key.equals("bootstrap.servers") ? "; give the servers as bootstrap servers instead" : " and cannot be overridden"));
            }
        }
        clientProperties = Map.copyOf(new TreeMap<>(clientProperties));
    }

    public static KafkaConnection of(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, Map.of());
    }

    public KafkaConnection withProperties(Map<String, String> more) {
        var merged = new TreeMap<>(clientProperties);
        merged.putAll(more);
        return new KafkaConnection(bootstrapServers, merged);
    }

    /** A fresh copy for one client: the servers and the shared settings; the caller adds its own. */
    public Properties properties() {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put("bootstrap.servers", bootstrapServers);
        return props;
    }

    /** Secrets masked: this is what logs and error messages show. */
    @Override
    public String toString() {
        return bootstrapServers + (clientProperties.isEmpty() ? "" : clientProperties.entrySet().stream()
                .map(e -> e.getKey() + "=" + (secret(e.getKey()) ? "****" : e.getValue()))
                .collect(Collectors.joining(", ", " {", "}")));
    }

    private static boolean secret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.endsWith(".key");
    }
}
