package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** deploy/grafana/loopline.json is a well-formed dashboard whose every query reads a metric Loopline (or Flink) exports. */
class GrafanaDashboardTest {
    private static final Path ROOT = Path.of("..");
    private static final String PREFIX = "flink_taskmanager_job_task_operator_loopline_";
    /** Flink's own checkpoint metrics (JobManager job scope). */
    private static final Set<String> FLINK_METRICS = Set.of("flink_jobmanager_job_lastCheckpointDuration",
            "flink_jobmanager_job_numberOfFailedCheckpoints", "flink_jobmanager_job_lastCheckpointSize");

    /** The names in the first column of docs/metrics.md's table. */
    private static Set<String> documented() throws Exception {
        Set<String> names = new HashSet<>();
        for (String line : Files.readAllLines(ROOT.resolve("docs/metrics.md"))) {
            if (line.startsWith("| `")) {
                Matcher m = Pattern.compile("`([a-z0-9_]+)`").matcher(line.split("\\|")[1]);
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    @Test
    void everyQueryReadsADocumentedMetric() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(ROOT.resolve("deploy/grafana/loopline.json").toFile());
        assertThat(dashboard.path("title").asText()).isEqualTo("Loopline");
        Set<String> documented = documented();
        assertThat(documented).contains("events_decoded", "model_version_accuracy", "feature_psi", "challengers_promoted");
        Set<String> used = new TreeSet<>();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("unique panel id").isTrue();
            assertThat(panel.path("gridPos").path("w").asInt()).isPositive();
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                Matcher m = Pattern.compile("flink_[A-Za-z0-9_]+").matcher(target.path("expr").asText());
                assertThat(m.find()).as("a query of " + panel.path("title").asText()).isTrue();
                do {
                    used.add(m.group());
                } while (m.find());
            }
        }
        Matcher annotation = Pattern.compile("flink_[A-Za-z0-9_]+").matcher(dashboard.path("annotations").toString());
        while (annotation.find()) {
            used.add(annotation.group());
        }
        for (String metric : used) {
            if (metric.startsWith(PREFIX)) {
                assertThat(documented).as(metric + " is in docs/metrics.md").contains(metric.substring(PREFIX.length()));
            } else {
                assertThat(FLINK_METRICS).as(metric + " is one of Flink's").contains(metric);
            }
        }
        assertThat(dashboard.path("panels")).hasSizeGreaterThanOrEqualTo(8);
    }
}
