package io.loopline.operators.features.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loopline.operators.features.TestSpecs;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FeatureSpecParserTest {

    @Test
    void parsesEveryFeatureKindIntoOrderedColumns() {
        FeatureSpec spec = TestSpecs.payments();

        assertThat(spec.schema().numericFields()).containsExactly("amount", "age");
        assertThat(spec.schema().categoricalFields()).containsExactly("country", "device");
        assertThat(spec.schema().optionalFields()).containsExactlyInAnyOrder("age", "device");
        assertThat(spec.schema().labelField()).hasValue("fraud");
        assertThat(spec.outOfOrderness()).isEqualTo(Duration.ofMillis(10));
        assertThat(spec.windows()).hasSize(2);
        assertThat(spec.columnNames()).containsExactly(
                "amount", "amount_clip", "age", "age_missing",
                "country[0]", "country[1]", "country[other]",
                "device#0", "device#1", "device#2", "device#3", "device_missing",
                "hour_sin", "hour_cos", "dow",
                "amt_100ms_count", "amt_100ms_sum", "amt_100ms_mean", "amt_100ms_min", "amt_100ms_max", "amt_100ms_stddev",
                "events_1s_count", "gap", "gap_missing");
        assertThat(spec.dimension()).isEqualTo(24);
    }

    private static String replace(String from, String to) {
        assertThat(TestSpecs.PAYMENTS).contains(from);
        return TestSpecs.PAYMENTS.replace(from, to);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "typo in a key        | out_of_orderness: 10ms | out_of_ordernes: 10ms     | line 13, state.out_of_ordernes: unknown key",
        "bad duration         | idle_ttl: 1h           | idle_ttl: an hour         | line 14, state.idle_ttl: 'an hour' is not a duration",
        "unknown field type   | amount: numeric        | amount: money             | line 8, fields.amount: field type must be numeric or categorical",
        "undeclared field     | field: amount, transform: [log1p | field: amout, transform: [log1p | line 16, features[0].field: field 'amout' is not declared",
        "wrong field type     | field: country, max_categories | field: amount, max_categories | line 19, features[3].field: field 'amount' is numeric",
        "unknown transform    | [log1p, standardize]   | [log2, standardize]       | line 16, features[0].transform[0]: unknown transform 'log2'",
        "unknown aggregate    | max, stddev]           | max, median]              | line 28, features[7].aggregates[5]: unknown aggregate 'median'",
        "uneven granularity   | granularity: 10ms      | granularity: 30ms         | features[7].length: window length PT0.1S must be a multiple",
        "duplicate name       | {name: amount_clip     | {name: amount             | features[1]: feature name 'amount' is used twice",
        "count-only window    | aggregates: [count]}   | aggregates: [sum]}        | a window without 'field' can only count events",
        "missing entity       | '  entity: user\n'     | ''                        | line 3, event: missing required key 'entity'",
    })
    void errorsNameTheLineAndTheKey(String caseName, String from, String to, String expected) {
        String yaml = replace(from.replace("'", "").replace("\\n", "\n"), to.replace("'", ""));
        assertThatThrownBy(() -> FeatureSpecParser.parse(yaml, "payments.yaml"))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith("payments.yaml")
                .hasMessageContaining(expected);
    }

    @Test
    void invalidYamlIsReportedWithItsLine() {
        assertThatThrownBy(() -> FeatureSpecParser.parse("name: x\nevent: [unclosed\n", "broken.yaml"))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("broken.yaml line")
                .hasMessageContaining("not valid YAML");
    }
}
