package io.loopline.operators.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.operators.drift.KolmogorovSmirnov.Alternative;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Against scipy's own {@code ks_2samp} test cases (../shared/data/testvectors/scipy_ks_2samp.json): statistic and p-value to 1e-6. */
class KolmogorovSmirnovTest {

    private static double[] linspace(double from, double to, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = n == 1 ? from : from + (to - from) * i / (n - 1);
        }
        return v;
    }

    private static double[] plus(double[] v, double c) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[i] + c;
        }
        return r;
    }

    /** The generated inputs of the cases that name them instead of listing them. */
    private static double[][] generated(String inputs) {
        return switch (inputs) {
            case "x=linspace(1,100,100), y=x+2.1" -> new double[][] {linspace(1, 100, 100), plus(linspace(1, 100, 100), 2.1)};
            case "x=linspace(1,100,100), y=x+1.9" -> new double[][] {linspace(1, 100, 100), plus(linspace(1, 100, 100), 1.9)};
            case "x=linspace(1,100,100), y=linspace(1,100,110)+20.1" -> new double[][] {linspace(1, 100, 100), plus(linspace(1, 100, 110), 20.1)};
            case "x=linspace(1,100,100), y=linspace(1,100,110)+19.9" -> new double[][] {linspace(1, 100, 100), plus(linspace(1, 100, 110), 19.9)};
            case "x=linspace(1,200,10000)-1/(10000*110*4), y=linspace(2,100,110)", "same" ->
                    new double[][] {plus(linspace(1, 200, 10000), -1.0 / (10000 * 110 * 4)), linspace(2, 100, 110)};
            default -> throw new IllegalArgumentException("unknown generated inputs: " + inputs);
        };
    }

    private static double[] array(JsonNode node) {
        double[] v = new double[node.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = node.get(i).asDouble();
        }
        return v;
    }

    @Test
    void matchesScipyKs2sampOnItsOwnTestCases() throws Exception {
        JsonNode cases = new ObjectMapper().readTree(SharedData.require("testvectors/scipy_ks_2samp.json").toFile()).path("cases");
        List<String> checked = new ArrayList<>();
        for (JsonNode c : cases) {
            double[][] xy = c.path("x").isArray() ? new double[][] {array(c.path("x")), array(c.path("y"))} : generated(c.path("inputs").asText());
            Alternative alternative = Alternative.valueOf(c.path("alternative").asText().toUpperCase(Locale.ROOT).replace('-', '_'));
            KolmogorovSmirnov.Result r = KolmogorovSmirnov.test(xy[0], xy[1], alternative);
            String name = c.path("name").asText() + " " + alternative;
            assertThat(r.statistic()).as(name + " statistic").isCloseTo(c.path("scipy_1_17_1_statistic").asDouble(), within(1e-6));
            assertThat(r.pvalue()).as(name + " p-value").isCloseTo(c.path("scipy_1_17_1_pvalue").asDouble(), within(1e-6));
            checked.add(name);
        }
        assertThat(checked).hasSizeGreaterThanOrEqualTo(20);
    }

    @Test
    void identicalSamplesHaveNoDistance() {
        double[] x = linspace(0, 1, 50);
        KolmogorovSmirnov.Result r = KolmogorovSmirnov.test(x, x.clone());
        assertThat(r.statistic()).isZero();
        assertThat(r.pvalue()).isEqualTo(1.0);
    }

    @Test
    void largeSamplesUseTheAsymptoticDistribution() {
        double[] x = linspace(0, 1, 20_000);
        double[] y = plus(linspace(0, 1, 20_000), 0.05);
        KolmogorovSmirnov.Result r = KolmogorovSmirnov.test(x, y);
        assertThat(r.statistic()).isCloseTo(0.05, within(1e-4));
        assertThat(r.pvalue()).isLessThan(1e-10);
    }

    @Test
    void theLimitingDistributionMatchesKnownQuantiles() {
        // Kolmogorov distribution: P(K > 1.3581) = 0.05, P(K > 1.6276) = 0.01, P(K > 0.8276) = 0.5
        assertThat(KolmogorovSmirnov.limitingSurvival(1.3581)).isCloseTo(0.05, within(1e-4));
        assertThat(KolmogorovSmirnov.limitingSurvival(1.6276)).isCloseTo(0.01, within(1e-4));
        assertThat(KolmogorovSmirnov.limitingSurvival(0.8276)).isCloseTo(0.5, within(1e-3));
        assertThat(KolmogorovSmirnov.limitingSurvival(1e-3)).isEqualTo(1.0);
    }

    @Test
    void tinyDistancesBetweenLargeSamplesHaveAPvalueNearOne() {
        for (double d : new double[] {1e-9, 1e-6, 1e-4, 5e-4}) {
            assertThat(KolmogorovSmirnov.asymptoticPvalue(100_000, 11_000, d, Alternative.TWO_SIDED)).as("d=" + d).isBetween(0.0, 1.0)
                    .isGreaterThan(0.99);
        }
    }
}
