package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.demo.report.DemoReport;
import io.loopline.demo.report.Timeline;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's HTML report opened in a real browser (headless Chromium, Debian's {@code chromium};
 * .ci/run installs it): the page lays out its four charts, each with its series drawn, and the
 * screenshot shows them (the series colours are on screen, the page is not blank).
 */
class DemoReportChromiumITCase {
    private static final long MINUTE = 60_000;
    private static final long START = 1_800_000_000_000L;
    private static String chromium;

    @TempDir
    Path dir;

    @BeforeAll
    static void chromiumIsInstalled() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                if (chromium == null && Files.isExecutable(Path.of(folder, name))) {
                    chromium = Path.of(folder, name).toString();
                }
            }
        }
        Assumptions.assumeTrue(chromium != null, "skipped: Chromium is not installed (apt-get install -y chromium)");
    }

    /** A run like the demo's: v1 good, drift at minute 20, v1 worse, v2 promoted at minute 26 and better. */
    private static Timeline story() {
        Timeline t = new Timeline(MINUTE);
        Random random = new Random(3);
        for (int m = 0; m < 40; m++) {
            long time = START + m * MINUTE;
            if (m < 30) {
                t.accuracy(1, time, m < 20 ? 0.97 + 0.01 * random.nextDouble() : 0.79 + 0.02 * random.nextDouble(), 1000);
            }
            if (m >= 27) {
                t.accuracy(2, time, 0.91 + 0.02 * random.nextDouble(), 1000);
            }
            t.psi("amount_log", time, m < 20 ? 0.02 : 1.2);
            t.psi("hour_sin", time, 0.05);
            for (int i = 0; i < 50; i++) {
                t.prediction(m < 27 ? 1 : 2, time + i * 1000);
            }
        }
        t.mark(START + 20 * MINUTE, "drift", "drift injected");
        t.mark(START + 21 * MINUTE, "detector", "adwin on v1");
        t.mark(START + 22 * MINUTE, "detector", "ddm on v1");
        t.mark(START + 23 * MINUTE, "rejection", "challenger rejected (stateful/drift)");
        t.mark(START + 26 * MINUTE, "promotion", "v2 promoted (stateful/decay)");
        return t;
    }

    private String run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void theReportRendersItsChartsInABrowser() throws Exception {
        Path report = dir.resolve("report.html");
        DemoReport.write(report, "Loopline demo", Map.of("exactly-once", "yes"), story(), Map.of(0.25, "alert 0.25"));

        String dom = run("--dump-dom", report.toUri().toString());
        for (String id : DemoReport.CHARTS) {
            assertThat(dom).as("chart " + id).contains("id=\"" + id + "\"");
        }
        Matcher series = Pattern.compile("<polyline class=\"series\" data-series=\"([^\"]+)\"[^>]*points=\"([^\"]*)\"").matcher(dom);
        List<String> drawn = new ArrayList<>();
        while (series.find()) {
            assertThat(series.group(2).split(" ")).as("series " + series.group(1) + " has points").hasSizeGreaterThan(1);
            drawn.add(series.group(1));
        }
        assertThat(drawn).contains("v1", "v2", "adwin", "ddm", "amount_log");
        assertThat(dom).contains("class=\"marker promotion\"", "class=\"marker drift\"", "class=\"threshold\"");

        Path png = dir.resolve("report.png");
        run("--window-size=1100,2000", "--screenshot=" + png, report.toUri().toString());
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("a screenshot was written").isNotNull();
        long nonWhite = 0;
        long blue = 0;
        long orange = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (r < 240 || g < 240 || b < 240) {
                    nonWhite++;
                }
                if (Math.abs(r - 0x1f) < 30 && Math.abs(g - 0x77) < 30 && Math.abs(b - 0xb4) < 30) {
                    blue++; // the first series' colour
                }
                if (Math.abs(r - 0xff) < 30 && Math.abs(g - 0x7f) < 30 && Math.abs(b - 0x0e) < 30) {
                    orange++; // the second series' colour
                }
            }
        }
        assertThat((double) nonWhite / (image.getWidth() * image.getHeight())).as("not a blank page").isGreaterThan(0.02);
        assertThat(blue).as("first series drawn on screen").isGreaterThan(500);
        assertThat(orange).as("second series drawn on screen").isGreaterThan(500);
    }
}
