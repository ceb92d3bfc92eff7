package io.loopline.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** Starts a real Prometheus server for a test and waits on its query and alert APIs. */
final class PrometheusServer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private PrometheusServer() {}

    /** A real Prometheus (Debian's package) on 127.0.0.1:{@code port}, scraping the targets every second with deploy/prometheus/alerts.yml. */
    static Process start(Path dir, int port, List<String> targets) throws IOException {
        Path rules = Path.of("..", "deploy", "prometheus", "alerts.yml").toAbsolutePath().normalize();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: flink
                    static_configs:
                      - targets: [%s]
                """.formatted(rules, String.join(", ", targets.stream().map(t -> "'" + t + "'").toList())));
        return new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    static void awaitQuery(String base, String query, Predicate<JsonNode> done, Duration timeout) throws Exception {
        JsonNode[] last = {null};
        Await.until(timeout, () -> {
            last[0] = get(base + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)).path("data").path("result");
            return done.test(last[0]);
        }, () -> "Prometheus query " + query + " did not reach the expected result; last: " + last[0]);
    }

    static java.util.List<JsonNode> alerts(String base, String name) throws Exception {
        java.util.List<JsonNode> found = new java.util.ArrayList<>();
        for (JsonNode alert : get(base + "/api/v1/alerts").path("data").path("alerts")) {
            if (alert.path("labels").path("alertname").asText().equals(name)) {
                found.add(alert);
            }
        }
        return found;
    }

    static void awaitAlert(String base, String name, String state, Duration timeout) throws Exception {
        Await.until(timeout, () -> alerts(base, name).stream().anyMatch(a -> a.path("state").asText().equals(state)),
                () -> name + " is not " + state + "; alerts: " + alertsText(base));
    }

    static void awaitNoAlert(String base, String name, Duration timeout) throws Exception {
        Await.until(timeout, () -> alerts(base, name).isEmpty(), () -> name + " is still active; alerts: " + alertsText(base));
    }

    private static String alertsText(String base) {
        try {
            return get(base + "/api/v1/alerts").toString();
        } catch (Exception e) {
            return "unreadable (" + e + ")";
        }
    }

    /** A reporter's exposition text, as Prometheus scrapes it. */
    static String scrape(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * {@code promtool check metrics} on the metric families of {@code scrape} whose name contains
     * {@code nameContains} (Flink's own camelCase names are not ours to change); its complaints, one a line.
     */
    static List<String> checkMetrics(Path dir, String scrape, String nameContains) throws Exception {
        StringBuilder ours = new StringBuilder();
        for (String line : scrape.split("\n")) {
            String name = line.startsWith("# ") ? line.split(" ").length > 2 ? line.split(" ")[2] : "" : line.split("[{ ]")[0];
            if (name.contains(nameContains)) {
                ours.append(line).append('\n');
            }
        }
        if (ours.isEmpty()) {
            throw new AssertionError("no metric containing " + nameContains + " in the scrape");
        }
        Path input = dir.resolve("scrape.txt");
        Files.writeString(input, ours);
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectInput(input.toFile()).redirectErrorStream(true).start();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promtool check metrics did not finish");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
