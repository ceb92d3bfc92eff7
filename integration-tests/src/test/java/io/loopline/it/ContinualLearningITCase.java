package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.operators.features.spec.FeatureSpecParser;
import io.loopline.operators.retraining.OnlineLearning;
import io.loopline.operators.retraining.PromotionGate;
import io.loopline.operators.retraining.RetrainPolicy;
import io.loopline.operators.retraining.TrainerSettings;
import io.loopline.operators.retraining.TrainingMode;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.replay.EvaluationResult;
import io.loopline.replay.PrequentialEvaluation;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop closed on a real broker and a MiniCluster: a stream whose concept changes abruptly at a
 * known row (the label follows x1 before, x2 after). Served by a frozen v1, accuracy drops to a coin
 * flip and stays there; with the stateful trainer the detectors fire, a fine-tuned challenger passes
 * the gate, serving swaps it in, and accuracy comes back to the pre-change level.
 */
class ContinualLearningITCase {
    private static final int ROWS = 15_000;
    private static final int CHANGE_AT = 6_000;
    private static final double WARMUP = 0.1;
    private static final String SPEC = """
            name: abrupt
            event: {id: row, entity: stream, time: ts, label: y}
            csv:
              row_id: row
              row_time: {field: ts, start: "2024-01-01T00:00:00Z", step: 1min}
              constants: {stream: s}
            fields: {x1: numeric, x2: numeric, x3: numeric, x4: numeric}
            state: {out_of_orderness: 0s}
            features:
              - {name: x1, type: numeric, field: x1}
              - {name: x2, type: numeric, field: x2}
              - {name: x3, type: numeric, field: x3}
              - {name: x4, type: numeric, field: x4}
            """;

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @TempDir
    static Path dir;
    static Path data;

    @BeforeAll
    static void writeStream() throws Exception {
        Random random = new Random(11);
        List<String> lines = new ArrayList<>();
        lines.add("x1,x2,x3,x4,y");
        for (int i = 0; i < ROWS; i++) {
            double[] x = {random.nextGaussian(), random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
            boolean positive = i < CHANGE_AT ? x[0] > 0 : x[1] > 0;
            if (random.nextDouble() < 0.03) {
                positive = !positive; // label noise: the best possible accuracy is about 97 %
            }
            lines.add(String.format(Locale.ROOT, "%.5f,%.5f,%.5f,%.5f,%d", x[0], x[1], x[2], x[3], positive ? 1 : 0));
        }
        data = dir.resolve("abrupt.csv");
        Files.write(data, lines);
    }

    /** Rows per lockstep step: the loop has learned from every earlier label before each step, however fast this machine is. */
    private static final int LOCKSTEP_ROWS = 200;

    private static EvaluationResult evaluate(String policy) throws Exception {
        return evaluate(policy, PromotionGate.defaults());
    }

    private static EvaluationResult evaluate(String policy, PromotionGate gate) throws Exception {
        var spec = FeatureSpecParser.parse(SPEC, "abrupt.yaml");
        NetworkSettings network = new NetworkSettings(List.of(16), "relu", 0.01, 1e-4, 10, 32, 3);
        TrainerSettings trainer = switch (policy) {
            case "frozen" -> null;
            // Snapshots judged every 250 labels on the newest 250 rows; by labels only, so the run is the same on any machine.
            case "online" -> TrainerSettings.defaults("model", TrainingMode.ONLINE, network)
                    .withOnline(new OnlineLearning(16, 250, 0, 250, 0.01, 4.0, 1000));
            default -> TrainerSettings.defaults("model", TrainingMode.STATEFUL, network)
                    .withPolicy(RetrainPolicy.defaults().withDetectors(Set.of("adwin", "ddm", "page-hinkley")).withCooldown(Duration.ZERO)
                            .withCooldownExamples(250).withEveryExamples(500))
                    .withGate(gate)
                    .withBuffer(1000, 0.2)
                    .withTraining(5, 32, 16);
        };
        var settings = new PrequentialEvaluation.Settings(spec, data, "y", 1, policy, WARMUP, 0, network, trainer, 1, Duration.ofMillis(200),
                Duration.ofMinutes(10), LOCKSTEP_ROWS);
        return new PrequentialEvaluation(settings, new PrintStream(System.out, true)).run(KAFKA.bootstrapServers());
    }

    @Test
    void afterAnAbruptChangeTheStatefulLoopRecoversWhileAFrozenModelStaysLow() throws Exception {
        int change = CHANGE_AT - (int) (ROWS * WARMUP); // index of the first changed row among the scored ones
        EvaluationResult frozen = evaluate("frozen");
        EvaluationResult learning = evaluate("stateful");
        System.out.println("frozen:   " + frozen.toJson());
        System.out.println("stateful: " + learning.toJson());

        double before = learning.accuracy(change - 2000, change);
        assertThat(before).as("pre-change accuracy").isGreaterThan(0.9);
        assertThat(learning.driftsDetected()).isPositive();
        assertThat(learning.modelsPromoted()).isPositive();
        int firstNewVersion = -1;
        long versionAtChange = learning.served().get(change).version();
        for (int i = change; i < learning.served().size() && firstNewVersion < 0; i++) {
            if (learning.served().get(i).version() > versionAtChange) {
                firstNewVersion = i;
            }
        }
        assertThat(firstNewVersion).as("a version promoted after the change served").isPositive();
        int end = learning.served().size();
        double recovered = learning.accuracy(Math.max(firstNewVersion, end - 2000), end);
        double frozenAfter = frozen.accuracy(end - 2000, end);
        System.out.printf(Locale.ROOT, "pre-change %.4f, first promoted version serves from scored row %d (change at %d), last 2000 rows: stateful %.4f,"
                + " frozen %.4f%n", before, firstNewVersion, change, recovered, frozenAfter);
        assertThat(recovered).as("back within a few points of the pre-change level").isGreaterThan(before - 0.05);
        assertThat(frozenAfter).as("the frozen model stays at a coin flip").isLessThan(0.65);
        assertThat(frozen.modelsPromoted()).isZero();
        assertThat(frozen.predictionsByVersion()).containsOnlyKeys(1L);
    }

    @Test
    void withAShadowStageAChallengerServesOnlyAfterBeatingTheChampionLive() throws Exception {
        // A live margin of two points: a challenger that is merely as good on the events after the change is not promoted.
        EvaluationResult shadowed = evaluate("stateful", PromotionGate.defaults().withShadow(300, 0.02));
        System.out.println("stateful, shadow stage: " + shadowed.toJson());
        assertThat(shadowed.modelsPromoted()).as("promoted after a live shadow verdict").isPositive();
        assertThat(shadowed.challengersShadowed()).as("every promotion went through a shadow trial").isGreaterThanOrEqualTo(shadowed.modelsPromoted());
        int end = shadowed.served().size();
        double recovered = shadowed.accuracy(end - 2000, end);
        System.out.printf(Locale.ROOT, "shadow stage: last 2000 rows %.4f, served by %s%n", recovered,
                shadowed.served().subList(end - 2000, end).stream().map(r -> r.version()).distinct().toList());
        assertThat(recovered).as("versions promoted live serve the new concept").isGreaterThan(0.85);
    }

    @Test
    void theOnlineLoopLearnsTheNewConceptFromEveryLabelAndServesIt() throws Exception {
        int change = CHANGE_AT - (int) (ROWS * WARMUP);
        EvaluationResult online = evaluate("online");
        System.out.println("online:   " + online.toJson());
        double before = online.accuracy(change - 2000, change);
        int end = online.served().size();
        double after = online.accuracy(change, change + 1000);
        double next = online.accuracy(change + 1000, change + 2000);
        double recovered = online.accuracy(end - 2000, end);
        System.out.printf(Locale.ROOT, "online: pre-change %.4f, rows 1-1000 after the change %.4f, rows 1001-2000 %.4f, last 2000 rows %.4f%n", before,
                after, next, recovered);
        assertThat(before).as("pre-change accuracy").isGreaterThan(0.9);
        assertThat(online.modelsPromoted()).as("snapshots served").isGreaterThan(5);
        assertThat(online.predictionsByVersion().size()).as("published snapshots served (the last one may come after the last row)")
                .isGreaterThanOrEqualTo((int) online.modelsPromoted());
        assertThat(recovered).as("back within a few points of the pre-change level").isGreaterThan(before - 0.05);
        assertThat(after).as("learning from every label: well above a coin flip in the first 1,000 rows after the change").isGreaterThan(0.6);
        assertThat(next).as("and back to the pre-change level in the next 1,000").isGreaterThan(before - 0.05);
    }
}
