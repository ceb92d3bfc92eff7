package io.loopline.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/** Creates Loopline's topics when they are missing; existing topics are left as they are. */
public final class KafkaTopics {
    private KafkaTopics() {}

    /**
     * A new topic is usable once every partition has a leader; producing earlier can stall a
     * producer until its delivery timeout.
     */
    private static void awaitLeaders(Admin admin, java.util.Collection<String> topics, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean ready;
            try {
                var descriptions = admin.describeTopics(topics).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                ready = descriptions.values().stream()
                        .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
            } catch (ExecutionException e) {
                // Just created: the broker answering may not know the topic yet.
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                ready = false;
            }
            if (ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + topics + " have no leader after " + timeout);
            }
            Thread.sleep(50);
        }
    }

    /**
     * @param partitionsByTopic topic name to partition count
     * @throws IllegalStateException naming the bootstrap servers when Kafka cannot be reached
     */
    public static void ensure(KafkaConnection kafka, Map<String, Integer> partitionsByTopic, Duration timeout) {
        ensure(kafka, partitionsByTopic, Set.of(), timeout);
    }

    public static void ensure(String bootstrapServers, Map<String, Integer> partitionsByTopic, Duration timeout) {
        ensure(bootstrapServers, partitionsByTopic, Set.of(), timeout);
    }

    /**
     * @param compacted topics among them created with {@code cleanup.policy=compact}: the latest
     *     record per key is kept forever (the {@code models} topic: the current version of each model)
     */
    public static void ensure(String bootstrapServers, Map<String, Integer> partitionsByTopic, Set<String> compacted, Duration timeout) {
        ensure(KafkaConnection.of(bootstrapServers), partitionsByTopic, compacted, timeout);
    }

    public static void ensure(KafkaConnection kafka, Map<String, Integer> partitionsByTopic, Set<String> compacted, Duration timeout) {
        String bootstrapServers = kafka.toString();
        Properties props = kafka.properties();
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        // Kafka refuses an API timeout shorter than one request's: a short start-up timeout shortens both.
        props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            partitionsByTopic.forEach((topic, partitions) -> {
                if (!existing.contains(topic)) {
                    NewTopic created = new NewTopic(topic, Optional.of(partitions), Optional.empty()); // broker default replication
                    if (compacted.contains(topic)) {
                        created.configs(Map.of("cleanup.policy", "compact"));
                    }
                    missing.add(created);
                }
            });
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            awaitLeaders(admin, partitionsByTopic.keySet(), timeout);
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
            throw new IllegalStateException(
                    "cannot create topics " + partitionsByTopic.keySet() + " on Kafka at " + bootstrapServers + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }
}
