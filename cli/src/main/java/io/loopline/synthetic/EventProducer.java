package io.loopline.synthetic;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes generated transactions into the events topic on its own thread, optionally paced to a
 * target rate, until a count is reached or it is stopped.
 */
public final class EventProducer implements AutoCloseable {
    private final TransactionGenerator generator;
    private final String topic;
    private final long count;
    private final double ratePerSecond;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong valid = new AtomicLong();
    private volatile PredictionLatency latency;
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stopped;
    private volatile boolean done;
    private volatile long holdAfter = -1;
    private java.util.function.LongPredicate lingerUntil = produced -> true;
    private long lingerDeadlineNanos = Long.MIN_VALUE;
    private String labelsTopic;
    private long labelDelayMillis;
    private long driftAt = -1;
    private volatile long driftStartTime = -1;
    private final AtomicLong labels = new AtomicLong();
    private volatile boolean held;
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);

    /**
     * @param count events to write; 0 writes until {@link #close}
     * @param ratePerSecond target rate; 0 writes as fast as Kafka takes them
     */
    public EventProducer(String bootstrapServers, String topic, TransactionGenerator generator, long count, double ratePerSecond) {
        this.generator = generator;
        this.topic = topic;
        this.count = count;
        this.ratePerSecond = ratePerSecond;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        this.producer = new KafkaProducer<>(props);
        this.thread = new Thread(this::produce, "loopline-demo-producer");
        this.thread.setDaemon(true);
    }

    /** Stops after {@code n} events (all flushed to Kafka) until {@link #release()}; call before {@link #start()}. */
    public EventProducer holdAfter(long n) {
        this.holdAfter = n;
        return this;
    }

    /**
     * Also writes the outcome of each fraudulent event to {@code topic} (a chargeback:
     * {@code {eventId, label: 1, timestamp}}) stamped {@code delayMillis} after the event; other
     * events get no label (their natural label, 0, applies when the feedback window closes).
     */
    public EventProducer withChargebacks(String topic, long delayMillis) {
        this.labelsTopic = topic;
        this.labelDelayMillis = delayMillis;
        return this;
    }

    /**
     * After the planned events, keeps writing until {@code enough} (given the events written so far)
     * says the story has been told, or until {@code deadlineNanos} ({@link System#nanoTime}): how
     * long that takes depends on how fast this machine trains and evaluates, not on a fixed count.
     */
    public EventProducer lingerUntil(java.util.function.LongPredicate enough, long deadlineNanos) {
        this.lingerUntil = enough;
        this.lingerDeadlineNanos = deadlineNanos;
        return this;
    }

    /** Starts the generator's drift after {@code n} events. */
    public EventProducer driftAfter(long n) {
        this.driftAt = n;
        return this;
    }

    /** Event time from which the generated stream drifts; -1 before. */
    public long driftStartTime() {
        return driftStartTime;
    }

    public long labelCount() {
        return labels.get();
    }

    /** True while writing waits for {@link #release()}. */
    public boolean isHeld() {
        return held;
    }

    public void release() {
        released.countDown();
    }

    /** Notes each valid event's send time in {@code value}, for end-to-end latency. */
    public EventProducer measuringLatency(PredictionLatency value) {
        this.latency = value;
        return this;
    }

    public EventProducer start() {
        thread.start();
        return this;
    }

    private void produce() {
        long startNanos = System.nanoTime();
        try {
            for (long i = 0; !stopped && (count == 0 || i < count || (System.nanoTime() - lingerDeadlineNanos < 0 && !lingerUntil.test(i))); i++) {
                if (i == holdAfter) {
                    producer.flush();
                    held = true;
                    while (!stopped && !released.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        // waiting for release() or close()
                    }
                    held = false;
                    startNanos = System.nanoTime() - (ratePerSecond > 0 ? (long) (i * 1e9 / ratePerSecond) : 0);
                }
                if (ratePerSecond > 0) {
                    pace(startNanos, i);
                }
                if (i == driftAt) {
                    driftStartTime = generator.lastTimestamp() + 1;
                    generator.startDrift(4.0, 4.0);
                }
                TransactionGenerator.Generated g = generator.next();
                if (latency != null && g.valid()) {
                    latency.sent(g.eventId());
                }
                // Kafka stamps its own time: event times may lie ahead of the broker's clock (log.message.timestamp.after.max.ms).
                producer.send(new ProducerRecord<>(topic, null, null, g.key(), g.value()), (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    }
                });
                (g.valid() ? valid : malformed).incrementAndGet();
                if (labelsTopic != null && g.valid() && g.fraudLabel() == 1) {
                    String chargeback = "{\"eventId\":\"" + g.eventId() + "\",\"label\":1,\"timestamp\":" + (g.timestamp() + labelDelayMillis) + "}";
                    producer.send(new ProducerRecord<>(labelsTopic, null, null, g.eventId().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            chargeback.getBytes(java.nio.charset.StandardCharsets.UTF_8)), (metadata, error) -> {
                                if (error != null) {
                                    failure.compareAndSet(null, error);
                                }
                            });
                    labels.incrementAndGet();
                }
                if (failure.get() != null) {
                    break;
                }
            }
            producer.flush();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            done = true;
        }
    }

    private void pace(long startNanos, long i) {
        long dueNanos = startNanos + (long) (i * 1e9 / ratePerSecond);
        long wait = dueNanos - System.nanoTime();
        if (wait > 1_000_000) {
            try {
                Thread.sleep(wait / 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
            }
        }
    }

    public long validCount() {
        return valid.get();
    }

    public long malformedCount() {
        return malformed.get();
    }

    public long producedCount() {
        return valid.get() + malformed.get();
    }

    /** True once every event is written and flushed (or writing failed). */
    public boolean isDone() {
        return done;
    }

    /** The first send error, if any. */
    public Exception failure() {
        return failure.get();
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(Duration.ofSeconds(30).toMillis());
        producer.close(Duration.ofSeconds(10));
    }
}
