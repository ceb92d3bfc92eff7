package io.loopline.operators.drift.detectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The detectors flag the change points MOA 2024.07.0's implementations flag on River's detector test
 * streams (../shared/data/testvectors/drift_streams.csv and its README: indices where getChange()
 * became true, MOA defaults).
 */
class ChangeDetectorTest {
    private static final Path STREAMS = Path.of("..", "..", "shared", "data", "testvectors", "drift_streams.csv");

    private static double[] stream(int column) throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(STREAMS), "skipped: " + STREAMS.toAbsolutePath() + " is absent (the shared data sets are not here)");
        List<String> lines = Files.readAllLines(STREAMS);
        double[] values = new double[lines.size() - 1];
        for (int i = 1; i < lines.size(); i++) {
            values[i - 1] = Double.parseDouble(lines.get(i).split(",")[column]);
        }
        return values;
    }

    static List<Integer> detections(Supplier<ChangeDetector> detector, double[] values) {
        ChangeDetector d = detector.get();
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            if (d.add(values[i])) {
                found.add(i);
            }
        }
        return found;
    }

    @Test
    void adwinMatchesMoa() throws Exception {
        assertThat(detections(Adwin::new, stream(1))).containsExactly(1023, 1055);
        assertThat(detections(Adwin::new, stream(2))).containsExactly(1055, 1087, 1119, 1247);
    }

    @Test
    void pageHinkleyMatchesMoa() throws Exception {
        assertThat(detections(PageHinkley::new, stream(1))).containsExactly(1025);
        assertThat(detections(PageHinkley::new, stream(2))).containsExactly(1107);
    }

    @Test
    void ddmMatchesMoa() throws Exception {
        assertThat(detections(Ddm::new, stream(1))).containsExactly(1010);
        assertThat(detections(Ddm::new, stream(2))).containsExactly(1049);
    }

    @Test
    void adwinAndPageHinkleyStayQuietOnAStationaryStream() {
        double[] constant = new double[5000];
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int i = 0; i < constant.length; i++) {
            constant[i] = random.nextDouble() < 0.2 ? 1 : 0;
        }
        assertThat(detections(Adwin::new, constant)).isEmpty();
        assertThat(detections(PageHinkley::new, constant)).isEmpty();
        // DDM is known to raise false alarms on stationary Bernoulli streams (its p_min + s_min shrinks with n); not asserted.
    }

    @Test
    void aRestoredDetectorContinuesExactlyWhereItsStateWasTaken() throws Exception {
        double[] values = stream(2);
        for (Supplier<ChangeDetector> kind : List.<Supplier<ChangeDetector>>of(Adwin::new, PageHinkley::new, Ddm::new)) {
            List<Integer> straight = detections(kind, values);
            ChangeDetector first = kind.get();
            List<Integer> resumed = new ArrayList<>();
            ChangeDetector current = first;
            for (int i = 0; i < values.length; i++) {
                if (i % 97 == 0) { // snapshot and restore into a fresh instance every 97 values
                    ChangeDetector next = kind.get();
                    next.restore(current.state());
                    current = next;
                }
                if (current.add(values[i])) {
                    resumed.add(i);
                }
            }
            assertThat(resumed).as(first.getClass().getSimpleName()).isEqualTo(straight);
        }
    }
}
