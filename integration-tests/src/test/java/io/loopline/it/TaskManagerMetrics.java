package io.loopline.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads the local cluster's Prometheus reporters directly (deploy/flink-conf: ports 9250-9260). */
final class TaskManagerMetrics {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(300)).build();

    private TaskManagerMetrics() {}

    /** Whether any reporter exposes a sample of a metric whose name contains {@code name} with this value. */
    static boolean anyEquals(String name, double value) {
        for (int port = 9250; port <= 9260; port++) {
            String text;
            try {
                text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (java.io.IOException e) {
                continue; // nothing on this port of the range
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            for (String line : text.split("\n")) {
                if (!line.startsWith("#") && line.contains(name)) {
                    String sample = line.substring(line.lastIndexOf(' ') + 1);
                    try {
                        if (Double.parseDouble(sample) == value) {
                            return true;
                        }
                    } catch (NumberFormatException ignored) {
                        // not a sample line
                    }
                }
            }
        }
        return false;
    }
}
