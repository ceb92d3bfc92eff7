package io.loopline.it;

import io.loopline.kafka.Json;
import io.loopline.operators.drift.ReferenceBins;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A synthetic feature log with two standard-normal features ("steady" and "shifted") and its labels
 * (label 1 ~10 %, default 0), for the learning job's tests. From event {@code shiftAt} on, "shifted"
 * moves by one standard deviation and the served scores are wrong 60 % of the time instead of 5 %.
 */
final class LearningStreams {
    static final long START = 1_767_225_600_000L;
    static final long STEP = 100;

    /** A record for a given partition, or for the key's partition when {@code partition} is negative. */
    record Keyed(int partition, byte[] key, byte[] value) {}

    final List<Keyed> featureLog = new ArrayList<>();
    final List<Keyed> labels = new ArrayList<>();

    private LearningStreams() {}

    /**
     * The learning settings these tests run with, from the learning options: 30 s feedback window, 5 s
     * out of order, evaluation every 250 of the last 500 examples, 1 min drift windows.
     */
    static io.loopline.jobs.learning.LearningJob.Settings settings(double defaultLabel, io.loopline.operators.scoring.ModelStoreSupplier store) {
        var config = new org.apache.flink.configuration.Configuration()
                .set(io.loopline.jobs.config.LearningOptions.FEEDBACK_WINDOW, java.time.Duration.ofSeconds(30))
                .set(io.loopline.jobs.config.LearningOptions.OUT_OF_ORDERNESS, java.time.Duration.ofSeconds(5))
                .set(io.loopline.jobs.config.LearningOptions.EVALUATION_WINDOW, 500)
                .set(io.loopline.jobs.config.LearningOptions.EVALUATION_SLIDE, 250)
                .set(io.loopline.jobs.config.LearningOptions.DRIFT_WINDOW, java.time.Duration.ofMinutes(1));
        if (!Double.isNaN(defaultLabel)) {
            config.set(io.loopline.jobs.config.LearningOptions.DEFAULT_LABEL, defaultLabel);
        }
        return io.loopline.jobs.learning.LearningJob.Settings.from(config, reference(), store, null);
    }

    static ReferenceBins reference() {
        double[] deciles = {-1.2816, -0.8416, -0.5244, -0.2533, 0, 0.2533, 0.5244, 0.8416, 1.2816};
        double[] counts = {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000};
        return new ReferenceBins(List.of("steady", "shifted"), new double[][] {deciles, deciles}, new double[][] {counts, counts},
                new double[] {-4, -4}, new double[] {4, 4}, new double[] {9000, 1000});
    }

    /** Events {@code from} (inclusive) to {@code to} (exclusive), on {@code partitions} partitions. */
    static LearningStreams events(int from, int to, int shiftAt, int partitions) {
        return events(from, to, shiftAt, partitions, 1, 0.6);
    }

    /** The same, served by model {@code version}, wrong on 5 % of the events before {@code shiftAt} and {@code shiftedErrorRate} after. */
    static LearningStreams events(int from, int to, int shiftAt, int partitions, long version, double shiftedErrorRate) {
        LearningStreams s = new LearningStreams();
        SplittableRandom random = new SplittableRandom(5 + from);
        for (int i = from; i < to; i++) {
            boolean shifted = i >= shiftAt;
            long t = START + i * STEP;
            String id = "e" + i;
            String entity = "c" + (i & 7);
            double label = random.nextDouble() < 0.1 ? 1 : 0;
            boolean wrong = random.nextDouble() < (shifted ? shiftedErrorRate : 0.05);
            double score = (label == 1) != wrong ? 0.9 : 0.1;
            double[] values = {gaussian(random), gaussian(random) + (shifted ? 1.0 : 0.0)};
            byte[] line = Json.object(json -> {
                json.writeStringField("eventId", id);
                json.writeStringField("entity", entity);
                json.writeNumberField("timestamp", t);
                json.writeArrayFieldStart("values");
                json.writeNumber(values[0]);
                json.writeNumber(values[1]);
                json.writeEndArray();
                json.writeStringField("model", "fraud");
                json.writeNumberField("modelVersion", version);
                json.writeNumberField("score", score);
                json.writeNumberField("servedAt", t);
            });
            s.featureLog.add(new Keyed(i % partitions, id.getBytes(StandardCharsets.UTF_8), line));
            if (label == 1) {
                s.labels.add(new Keyed(i % partitions, id.getBytes(StandardCharsets.UTF_8),
                        ("{\"eventId\":\"" + id + "\",\"label\":1,\"timestamp\":" + (t + 2000) + "}").getBytes(StandardCharsets.UTF_8)));
            }
        }
        return s;
    }

    /** Far-future feature-log records on every partition: every watermark passes the last window. */
    static LearningStreams push(int afterEvent, int partitions) {
        return push(afterEvent, partitions, 1);
    }

    static LearningStreams push(int afterEvent, int partitions, long version) {
        LearningStreams s = new LearningStreams();
        for (int p = 0; p < partitions; p++) {
            long t = START + afterEvent * STEP + 600_000;
            String id = "push-" + afterEvent + "-" + p;
            s.featureLog.add(new Keyed(p, id.getBytes(StandardCharsets.UTF_8), ("{\"eventId\":\"" + id + "\",\"timestamp\":" + t
                    + ",\"values\":[0,0],\"model\":\"fraud\",\"modelVersion\":" + version + ",\"score\":0.1,\"servedAt\":" + t + "}").getBytes(StandardCharsets.UTF_8)));
        }
        return s;
    }

    static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    static void write(String bootstrap, String topic, List<Keyed> records) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        try (var producer = new KafkaProducer<byte[], byte[]>(props)) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (Keyed r : records) {
                sent.add(producer.send(new ProducerRecord<>(topic, r.partition() < 0 ? null : r.partition(), r.key(), r.value())));
            }
            for (var f : sent) {
                f.get();
            }
        }
    }
}
