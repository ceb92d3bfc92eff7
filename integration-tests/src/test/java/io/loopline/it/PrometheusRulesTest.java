package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/prometheus/alerts.yml with the real promtool (Debian's `prometheus` package; .ci/run
 * installs it): the rules load, every alert fires in one test case and stays silent in another
 * (alerts_test.yml), and every alert says what happened and links its section of docs/runbook.md.
 */
class PrometheusRulesTest {
    private static final Path RULES = Path.of("..", "deploy", "prometheus");

    @BeforeAll
    static void promtoolIsInstalled() {
        Assumptions.assumeTrue(onPath("promtool"), "skipped: promtool is not installed (apt-get install -y prometheus)");
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static String promtool(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(RULES.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void theRulesLoad() throws Exception {
        assertThat(promtool("check", "rules", "alerts.yml")).contains("SUCCESS: 17 rules found");
    }

    @Test
    void theScrapeConfigLoadsWithTheRules() throws Exception {
        assertThat(promtool("check", "config", "prometheus.yml")).contains("SUCCESS");
    }

    @Test
    void everyAlertFiresInOneCaseAndStaysSilentInAnother() throws Exception {
        assertThat(promtool("test", "rules", "alerts_test.yml")).contains("SUCCESS");
        String tests = Files.readString(RULES.resolve("alerts_test.yml"));
        String rules = Files.readString(RULES.resolve("alerts.yml"));
        for (String line : rules.lines().filter(l -> l.trim().startsWith("- alert:")).toList()) {
            String alert = line.substring(line.indexOf(':') + 1).trim();
            String block = "alertname: " + alert + "\n        exp_alerts:\n          - exp_labels";
            assertThat(tests).as(alert + " fires in a test").contains(block);
            long cases = tests.lines().filter(l -> l.trim().equals("alertname: " + alert)).count();
            assertThat(cases).as(alert + " has a firing and a silent case (or a silent series in its firing case)").isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void everyAlertDescribesItselfAndLinksItsRunbookSection() throws Exception {
        String rules = Files.readString(RULES.resolve("alerts.yml"));
        String runbook = Files.readString(Path.of("..", "docs", "runbook.md"));
        List<String> alerts = rules.lines().filter(l -> l.trim().startsWith("- alert:")).map(l -> l.substring(l.indexOf(':') + 1).trim()).toList();
        assertThat(alerts).hasSize(17);
        for (String alert : alerts) {
            String block = rules.substring(rules.indexOf("- alert: " + alert));
            int next = block.indexOf("- alert:", 1);
            block = next < 0 ? block : block.substring(0, next);
            assertThat(block).as(alert).contains("summary:", "description:", "#" + alert.toLowerCase(java.util.Locale.ROOT) + "\"");
            assertThat(runbook).as("docs/runbook.md has a section for " + alert).contains("\n## " + alert + "\n");
        }
        assertThat(rules).as("free-text runbooks became description + runbook_url").doesNotContain("runbook:");
    }
}
