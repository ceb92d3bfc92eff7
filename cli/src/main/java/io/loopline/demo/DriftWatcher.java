package io.loopline.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.state.records.LearningEvent;
import io.loopline.state.records.ReportSubject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the drift topic as an operator's dashboard would (read_committed) and turns it into news
 * for the demo's console: each detector's change points, the first window after the injected drift
 * in which a feature's PSI crossed {@link #PSI_ALERT} (features already above it before the drift
 * are listed apart: the live stream differs from the short history there, e.g. the hour of day),
 * and the latest accuracy of each model version.
 */
public final class DriftWatcher implements AutoCloseable {
    public static final double PSI_ALERT = 0.25;
    /**
     * Windows with fewer examples are left out of the before/after comparison: a sample of n from the
     * reference itself scores a PSI of about (bins - 1) / n, so a partial window at the start or end of
     * the stream (tens of events) crosses {@link #PSI_ALERT} by chance and hides a real drift.
     */
    static final long MIN_PSI_EXAMPLES = 500;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ObjectMapper mapper = new ObjectMapper();
    private final ConcurrentLinkedQueue<String> news = new ConcurrentLinkedQueue<>();
    private final Map<String, Long> detections = new TreeMap<>();
    private final Map<String, Double> driftedFeatures = new TreeMap<>();
    private final Map<String, Double> maxPsiBeforeDrift = new TreeMap<>();
    private volatile long driftStart = Long.MAX_VALUE;
    private final Map<Long, Double> accuracy = new TreeMap<>();
    private final TreeMap<Long, Map<String, Double>> sliceAccuracy = new TreeMap<>();
    private final Thread thread;
    private volatile boolean stopped;
    private volatile io.loopline.demo.report.Timeline timeline = new io.loopline.demo.report.Timeline(60_000);
    private final List<String> promotions = new ArrayList<>();
    private long rejections;
    private double lastChallengerAccuracy = Double.NaN;
    private double lastChampionAccuracy = Double.NaN;

    public DriftWatcher(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(props);
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(p -> consumer.position(p, Duration.ofSeconds(30)));
        thread = new Thread(this::consume, "loopline-demo-drift-watcher");
        thread.setDaemon(true);
    }

    /** From this event time on the input drifts: what happens later is news, what happened before is the baseline. */
    public void driftStartsAt(long eventTime) {
        this.driftStart = eventTime;
    }

    public DriftWatcher start() {
        thread.start();
        return this;
    }

    private void consume() {
        while (!stopped) {
            for (var record : consumer.poll(Duration.ofMillis(200))) {
                try {
                    read(mapper.readTree(record.value()));
                } catch (java.io.IOException e) {
                    news.add("unreadable drift record: " + e.getMessage());
                }
            }
        }
    }

    private synchronized void read(JsonNode r) {
        String statistic = r.path("statistic").asText();
        String subject = r.path("subject").asText();
        long version = r.path("modelVersion").asLong();
        long windowStart = r.path("windowStart").asLong();
        String window = Instant.ofEpochMilli(windowStart).toString().substring(11, 16);
        boolean afterDrift = windowStart >= driftStart;
        boolean beforeDrift = r.path("windowEnd").asLong() <= driftStart; // a window with the drift's start in it is neither
        long windowEnd = r.path("windowEnd").asLong();
        if (ReportSubject.ERRORS.is(subject)) {
            timeline.mark(windowEnd, "detector", statistic + " on v" + version);
        } else if (statistic.equals("psi") && !ReportSubject.LABEL.is(subject)) {
            timeline.psi(subject, windowEnd, r.path("value").asDouble());
        } else if (statistic.equals("accuracy") && ReportSubject.MODEL.isTimeWindowsOf(subject)) {
            timeline.accuracy(version, windowEnd, r.path("value").asDouble(), r.path("count").asLong());
        }
        readRetraining(r, statistic, subject, version, windowEnd);
        if (ReportSubject.ERRORS.is(subject)) {
            String key = statistic + (beforeDrift ? " (before the drift)" : "");
            detections.merge(key, 1L, Long::sum);
            news.add(String.format(java.util.Locale.ROOT, "%s detected a change in the error rate of v%d (event time %s, error rate now %.3f)%s",
                    statistic, version, window, r.path("value").asDouble(), beforeDrift ? " (before the injected drift)" : ""));
        } else if (statistic.equals("psi") && !ReportSubject.PREDICTION.is(subject) && r.path("count").asLong() >= MIN_PSI_EXAMPLES) {
            double psi = r.path("value").asDouble();
            if (beforeDrift) {
                maxPsiBeforeDrift.merge(subject, psi, Math::max);
            } else if (psi > PSI_ALERT && maxPsiBeforeDrift.getOrDefault(subject, 0.0) <= PSI_ALERT && !driftedFeatures.containsKey(subject)) {
                driftedFeatures.put(subject, psi);
                news.add(String.format(java.util.Locale.ROOT, "%s drifted: PSI %.2f in the window from %s (at most %.2f before)",
                        subject.equals("label") ? "the label prior" : "feature " + subject, psi, window, maxPsiBeforeDrift.getOrDefault(subject, 0.0)));
            }
        } else if (statistic.equals("accuracy") && ReportSubject.MODEL.is(subject)) {
            accuracy.put(version, r.path("value").asDouble());
        } else if (statistic.equals("accuracy") && subject.startsWith("model[") && subject.endsWith("]")) {
            sliceAccuracy.computeIfAbsent(version, v -> new TreeMap<>())
                    .put(subject.substring(subject.indexOf('=') + 1, subject.length() - 1), Math.round(r.path("value").asDouble() * 1000) / 1000.0);
        }
    }

    private void readRetraining(JsonNode r, String statistic, String subject, long version, long time) {
        if (statistic.equals("holdout_accuracy")) {
            if (ReportSubject.CHALLENGER.is(subject)) {
                lastChallengerAccuracy = r.path("value").asDouble();
            } else {
                lastChampionAccuracy = r.path("value").asDouble();
            }
            return;
        }
        LearningEvent event = LearningEvent.of(statistic).orElse(null);
        if (event == null) {
            return; // other statistics are read above
        }
        switch (event) {
            case RETRAIN_AWAITING -> news.add(String.format(java.util.Locale.ROOT,
                    "retraining admitted (%s): waiting for %,d labelled examples of the new regime to fine-tune v%d on", subject, r.path("count").asLong(),
                    version));
            case RETRAIN_TRIGGERED -> {
                timeline.mark(time, "retrain", "retraining from v" + version + " (" + subject + ") on " + r.path("count").asLong() + " buffered examples");
                news.add(String.format(java.util.Locale.ROOT, "retraining triggered (%s): fine-tuning v%d on %,d buffered labelled examples",
                        subject, version, r.path("count").asLong()));
            }
            case CHALLENGER_PROMOTED -> {
                String text = String.format(java.util.Locale.ROOT, "v%d promoted (%s): holdout accuracy %+.4f vs the champion", version, subject,
                        r.path("value").asDouble());
                promotions.add(text);
                timeline.mark(time, "promotion", text);
                news.add(text + "; serving swaps to it");
            }
            case CHALLENGER_REJECTED -> {
                rejections++;
                String text = String.format(java.util.Locale.ROOT, "challenger rejected (%s): holdout accuracy %+.4f vs v%d", subject,
                        r.path("value").asDouble(), version);
                timeline.mark(time, "rejection", text);
                news.add(text + "; v" + version + " stays");
            }
            case ROLLBACK -> {
                String text = "rolled back " + subject + ": v" + version + " serves the previous weights";
                timeline.mark(time, "rollback", text);
                news.add(text);
            }
            default -> {
                // shadowed and boosted: the promotion or rejection that follows is what the story tells
            }
        }
    }

    /** The timeline the report plots. */
    public io.loopline.demo.report.Timeline timeline() {
        return timeline;
    }

    public synchronized List<String> promotions() {
        return new ArrayList<>(promotions);
    }

    public synchronized long rejections() {
        return rejections;
    }

    /** News since the last call. */
    public List<String> drainNews() {
        List<String> out = new ArrayList<>();
        for (String s; (s = news.poll()) != null; ) {
            out.add(s);
        }
        return out;
    }

    public synchronized Map<String, Long> detections() {
        return new TreeMap<>(detections);
    }

    public synchronized Map<String, Double> driftedFeatures() {
        return new TreeMap<>(driftedFeatures);
    }

    /** Features already above the threshold before the drift (the live stream differs from the short history there). */
    public synchronized List<String> differentFromHistory() {
        return maxPsiBeforeDrift.entrySet().stream().filter(e -> e.getValue() > PSI_ALERT).map(Map.Entry::getKey).toList();
    }

    /** True once a detector fired on a window after the drift started. */
    public synchronized boolean detectedDrift() {
        return detections.keySet().stream().anyMatch(k -> !k.endsWith("(before the drift)"));
    }

    /** The latest accuracy per slice (merchant) of the newest model version that has any, e.g. {@code v2 {travel=0.78, ...}}. */
    public synchronized String sliceAccuracy() {
        return sliceAccuracy.isEmpty() ? "none yet" : "v" + sliceAccuracy.lastKey() + " " + sliceAccuracy.lastEntry().getValue();
    }

    public synchronized Map<Long, Double> accuracy() {
        return new TreeMap<>(accuracy);
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(5000);
        consumer.close(Duration.ofSeconds(5));
    }
}
