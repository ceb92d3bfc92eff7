package io.loopline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `loopline drift stat|detect` as users call them: files in, one JSON value out. */
class DriftCommandTest {
    private static final Path STREAMS = Path.of("..", "..", "shared", "data", "testvectors", "drift_streams.csv");

    private record Run(int exit, String out, String err) {}

    private static synchronized Run run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            var cli = Loopline.commandLine();
            cli.setErr(new PrintWriter(err));
            int exit = cli.execute(args);
            return new Run(exit, captured.toString(StandardCharsets.UTF_8).trim(), err.toString());
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void ksOnFilesGivesScipysStatisticAndPvalue(@TempDir Path dir) throws Exception {
        // scipy's testTwoVsThree: ks_2samp([1.01, 2.01], [1, 2, 3]) = (1/3, 1.0)
        Files.writeString(dir.resolve("a.csv"), "v\n1.01\n2.01\n");
        Files.writeString(dir.resolve("b.csv"), "v\n1\n2\n3\n");
        Run r = run("drift", "stat", "--test", "ks", "--reference", dir.resolve("a.csv").toString(), "--current", dir.resolve("b.csv").toString(),
                "--column", "v");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.path("statistic").asDouble()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(json.path("pvalue").asDouble()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void everyTestPrintsAStatistic(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.csv"), "1\n2\n3\n4\n5\n6\n7\n8\n");
        Files.writeString(dir.resolve("b.csv"), "5\n6\n7\n8\n9\n10\n11\n12\n");
        for (String test : new String[] {"ks", "psi", "js", "chi2", "wasserstein"}) {
            Run r = run("drift", "stat", "--test", test, "--reference", dir.resolve("a.csv").toString(), "--current", dir.resolve("b.csv").toString(),
                    "--bins", "4");
            assertThat(r.exit()).as(test + ": " + r.err()).isZero();
            assertThat(new ObjectMapper().readTree(r.out()).path("statistic").asDouble()).as(test).isPositive();
        }
        Run w = run("drift", "stat", "--test", "wasserstein", "--reference", dir.resolve("a.csv").toString(), "--current",
                dir.resolve("b.csv").toString());
        assertThat(new ObjectMapper().readTree(w.out()).path("statistic").asDouble()).isCloseTo(4.0, within(1e-12));
    }

    @Test
    void detectPrintsMoasChangePoints() {
        Assumptions.assumeTrue(Files.isRegularFile(STREAMS), "skipped: " + STREAMS.toAbsolutePath() + " is absent (the shared data sets are not here)");
        assertThat(run("drift", "detect", "--detector", "adwin", "--input", STREAMS.toString(), "--column", "stream_1").out()).isEqualTo("[1023,1055]");
        assertThat(run("drift", "detect", "--detector", "page-hinkley", "--input", STREAMS.toString(), "--column", "stream_2").out()).isEqualTo("[1107]");
        assertThat(run("drift", "detect", "--detector", "ddm", "--input", STREAMS.toString(), "--column", "stream_2").out()).isEqualTo("[1049]");
    }

    @Test
    void badInputIsNamed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.csv"), "v\n1\nlots\n");
        Run r = run("drift", "detect", "--detector", "adwin", "--input", dir.resolve("a.csv").toString(), "--column", "v");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("--input", "value 2", "lots");
        assertThat(run("drift", "detect", "--detector", "cusum", "--input", dir.resolve("a.csv").toString()).err()).contains("adwin, page-hinkley or ddm");
        assertThat(run("drift", "stat", "--test", "ks", "--reference", dir.resolve("a.csv").toString(), "--current", dir.resolve("a.csv").toString(),
                "--column", "w").err()).contains("--column", "'w'", "[v]");
    }
}
