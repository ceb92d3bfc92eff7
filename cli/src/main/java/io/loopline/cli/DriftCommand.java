package io.loopline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loopline.operators.drift.DriftStatistics;
import io.loopline.operators.drift.KolmogorovSmirnov;
import io.loopline.operators.drift.QuantileBins;
import io.loopline.operators.drift.detectors.ChangeDetectors;
import io.loopline.operators.drift.detectors.ChangeDetector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "drift",
        mixinStandardHelpOptions = true,
        description = "Drift statistics and change detectors on your own files (the same code the learning job runs).",
        subcommands = {DriftCommand.Stat.class, DriftCommand.Detect.class},
        sortOptions = false)
final class DriftCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "stat",
            mixinStandardHelpOptions = true,
            description = {
                "Compares a current sample with a reference sample and prints one JSON object: test, statistic, pvalue (ks and"
                        + " chi2), and the sample sizes.",
                "ks: two-sample Kolmogorov-Smirnov on the raw values, p-value as scipy's ks_2samp default method. psi, js"
                        + " (Jensen-Shannon distance, natural log) and wasserstein-on-bins use --bins equal-frequency bins of the"
                        + " reference; wasserstein is exact on the raw values. chi2: the column's values are categories; goodness of"
                        + " fit of the current counts to the reference shares (a category the reference lacks counts as half a count there)."
            },
            sortOptions = false)
    static final class Stat implements Callable<Integer> {
        @Option(names = "--test", required = true, description = "ks, psi, js, chi2 or wasserstein.")
        String test;

        @Option(names = "--reference", required = true, description = "CSV of the reference sample.")
        Path reference;

        @Option(names = "--current", required = true, description = "CSV of the current sample.")
        Path current;

        @Option(names = "--column", description = "Column to read (the first line is then the header); default: the first column.")
        String column;

        @Option(names = "--bins", defaultValue = "10", description = "Equal-frequency reference bins for psi and js (default: ${DEFAULT-VALUE}).")
        int bins;

        @Override
        public Integer call() {
            ObjectNode out = new ObjectMapper().createObjectNode();
            String name = test.toLowerCase(Locale.ROOT);
            out.put("test", name);
            switch (name) {
                case "ks" -> {
                    double[] a = ColumnFile.numbers("--reference", reference, column);
                    double[] b = ColumnFile.numbers("--current", current, column);
                    KolmogorovSmirnov.Result r = KolmogorovSmirnov.test(a, b);
                    out.put("statistic", r.statistic()).put("pvalue", r.pvalue()).put("n_reference", a.length).put("n_current", b.length);
                }
                case "psi", "js" -> {
                    double[] a = ColumnFile.numbers("--reference", reference, column);
                    double[] b = ColumnFile.numbers("--current", current, column);
                    QuantileBins q = QuantileBins.of(a, bins);
                    double[] ra = q.histogram(a);
                    double[] cb = q.histogram(b);
                    out.put("statistic", name.equals("psi") ? DriftStatistics.psi(ra, cb) : DriftStatistics.jensenShannon(ra, cb))
                            .put("bins", q.count()).put("n_reference", a.length).put("n_current", b.length);
                }
                case "wasserstein" -> {
                    double[] a = ColumnFile.numbers("--reference", reference, column);
                    double[] b = ColumnFile.numbers("--current", current, column);
                    out.put("statistic", DriftStatistics.wasserstein(a, b)).put("n_reference", a.length).put("n_current", b.length);
                }
                case "chi2" -> {
                    List<String> a = ColumnFile.cells("--reference", reference, column);
                    List<String> b = ColumnFile.cells("--current", current, column);
                    List<String> categories = new ArrayList<>(new LinkedHashSet<>(a));
                    new LinkedHashSet<>(b).stream().filter(c -> !categories.contains(c)).forEach(categories::add);
                    DriftStatistics.Statistic r = DriftStatistics.chiSquare(counts(a, categories), counts(b, categories));
                    out.put("statistic", r.statistic()).put("pvalue", r.pvalue()).put("categories", categories.size())
                            .put("n_reference", a.size()).put("n_current", b.size());
                }
                default -> throw new IllegalArgumentException("--test: unknown test '" + test + "'; use ks, psi, js, chi2 or wasserstein");
            }
            System.out.println(out);
            return 0;
        }

        private static double[] counts(List<String> values, List<String> categories) {
            Map<String, Integer> index = new LinkedHashMap<>();
            for (int i = 0; i < categories.size(); i++) {
                index.put(categories.get(i), i);
            }
            double[] counts = new double[categories.size()];
            for (String v : values) {
                counts[index.get(v)]++;
            }
            return counts;
        }
    }

    @Command(
            name = "detect",
            mixinStandardHelpOptions = true,
            description = "Runs a change detector over one number per row and prints a JSON array of the 0-based indices where it"
                    + " signalled a change, as MOA's ADWINChangeDetector, PageHinkleyDM and DDM report them (MOA's defaults unless"
                    + " --param overrides them).",
            sortOptions = false)
    static final class Detect implements Callable<Integer> {
        @Option(names = "--detector", required = true, description = "adwin, page-hinkley or ddm.")
        String detector;

        @Option(names = "--param", description = "key=value, repeatable. adwin: delta (0.002). page-hinkley: min_instances (30), delta (0.005),"
                + " lambda (50), alpha (0.9999). ddm: min_instances (30), warning_level (2.0), drift_level (3.0).")
        Map<String, String> params = new LinkedHashMap<>();

        @Option(names = "--input", required = true, description = "CSV with one number per row.")
        Path input;

        @Option(names = "--column", description = "Column to read (the first line is then the header); default: the first column.")
        String column;

        @Override
        public Integer call() {
            ChangeDetector d = ChangeDetectors.create(detector, params);
            double[] values = ColumnFile.numbers("--input", input, column);
            ArrayNode out = new ObjectMapper().createArrayNode();
            for (int i = 0; i < values.length; i++) {
                if (d.add(values[i])) {
                    out.add(i);
                }
            }
            System.out.println(out);
            return 0;
        }
    }
}
