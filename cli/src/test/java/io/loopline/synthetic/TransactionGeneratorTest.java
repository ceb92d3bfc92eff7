package io.loopline.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loopline.operators.decode.EventDecoder;
import io.loopline.operators.decode.InvalidEventException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransactionGeneratorTest {

    @Test
    void theSameSeedGivesTheSameStream() {
        var a = new TransactionGenerator(5, 100, 0.05, 1000);
        var b = new TransactionGenerator(5, 100, 0.05, 1000);
        for (int i = 0; i < 1000; i++) {
            var x = a.next();
            var y = b.next();
            assertThat(x.value()).isEqualTo(y.value());
            assertThat(x.eventId()).isEqualTo(y.eventId());
        }
    }

    @Test
    void validEventsDecodeWithTheDemoSchemaAndMalformedOnesDoNot() throws Exception {
        var generator = new TransactionGenerator(9, 50, 0.1, 1000);
        var decoder = new EventDecoder(io.loopline.jobs.config.SpecLoader.load("transactions").schema());
        Set<String> ids = new HashSet<>();
        List<String> reasons = new ArrayList<>();
        int labels = 0;
        for (int i = 0; i < 5000; i++) {
            var g = generator.next();
            if (g.valid()) {
                var event = decoder.decode(g.value());
                assertThat(event.id()).isEqualTo(g.eventId());
                assertThat(ids.add(event.id())).isTrue();
                assertThat(event.numbers()[0]).isPositive();
                labels += g.fraudLabel();
            } else {
                try {
                    decoder.decode(g.value());
                    throw new AssertionError("a malformed event decoded: " + new String(g.value()));
                } catch (InvalidEventException expected) {
                    reasons.add(expected.reason());
                }
            }
        }
        assertThat(reasons).hasSizeBetween(350, 650);
        assertThat(new HashSet<>(reasons)).containsExactlyInAnyOrder("malformed-json", "wrong-type", "missing-field", "non-finite");
        assertThat(labels).as("fraud is rare but present").isBetween(20, 1500);
    }

    @Test
    void rejectsImpossibleSettings() {
        assertThatThrownBy(() -> new TransactionGenerator(1, 0, 0, 0)).hasMessageContaining("entities");
        assertThatThrownBy(() -> new TransactionGenerator(1, 1, 1.0, 0)).hasMessageContaining("malformed ratio");
    }
}
