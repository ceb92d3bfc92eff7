package io.loopline.operators.retraining;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loopline.operators.config.InvalidOptionException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** The trainer's settings from a configuration: the records' own defaults, "off" and "none", and every bad value named by its key. */
class TrainerSettingsFromConfigTest {

    @Test
    void anEmptyConfigurationGivesTheTrainersDefaults() {
        TrainerSettings read = TrainerSettings.from(mode("stateful"), "fraud");
        TrainerSettings defaults = TrainerSettings.defaults("fraud", TrainingMode.STATEFUL, null);
        assertThat(read).usingRecursiveComparison().ignoringFields("network").isEqualTo(defaults);
        assertThat(read.policy()).isEqualTo(RetrainPolicy.defaults());
        assertThat(read.gate()).isEqualTo(PromotionGate.defaults());
        assertThat(read.online()).isEqualTo(OnlineLearning.defaults());
        assertThat(read.network().hidden()).containsExactly(32, 16);
    }

    @Test
    void aStatelessChallengerTrainsLongerUnlessTheEpochsAreGiven() {
        assertThat(TrainerSettings.from(mode("stateless"), "m").epochs()).isEqualTo(10);
        Configuration config = mode("stateless");
        config.set(TrainerOptions.EPOCHS, 4);
        assertThat(TrainerSettings.from(config, "m").epochs()).isEqualTo(4);
    }

    @Test
    void offAndNoneSwitchThingsOff() {
        Configuration config = mode("online");
        config.set(TrainerOptions.DECAY_MARGIN, "off");
        config.set(TrainerOptions.ROLLBACK_MARGIN, "OFF");
        config.set(TrainerOptions.ON_DRIFT, "none");
        config.set(TrainerOptions.GATE_GUARD_METRIC, "none");
        config.set(TrainerOptions.SCRATCH_HIDDEN, "none");
        config.set(TrainerOptions.SCHEDULE, Duration.ZERO);
        TrainerSettings read = TrainerSettings.from(config, "m");
        assertThat(read.policy().decayMargin()).isNaN();
        assertThat(read.rollbackMargin()).isNaN();
        assertThat(read.policy().onDetectors()).isEmpty();
        assertThat(read.policy().schedule()).isNull();
        assertThat(read.gate().guardMetric()).isNull();
        assertThat(read.network().hidden()).isEmpty();
    }

    @Test
    void givenValuesArrive() {
        Configuration config = mode("stateful");
        config.set(TrainerOptions.ON_DRIFT, "ADWIN, ddm");
        config.set(TrainerOptions.BUFFER_SIZE, 4000);
        config.set(TrainerOptions.COOLDOWN_EXAMPLES, 500L);
        config.set(TrainerOptions.ONLINE_PUBLISH_EVERY, Duration.ZERO);
        TrainerSettings read = TrainerSettings.from(config, "m");
        assertThat(read.policy().onDetectors()).isEqualTo(Set.of("adwin", "ddm"));
        assertThat(read.bufferSize()).isEqualTo(4000);
        assertThat(read.policy().cooldownExamples()).isEqualTo(500);
        assertThat(read.online().publishEveryMillis()).isZero();
    }

    @Test
    void everyBadValueIsNamedByItsKey() {
        Map<String, String> bad = Map.ofEntries(Map.entry("retrain.on-drift", "adwin,hunch"), Map.entry("retrain.decay-metric", "vibes"),
                Map.entry("retrain.decay-margin", "-0.1"), Map.entry("retrain.every-examples", "-1"), Map.entry("retrain.cooldown-examples", "-1"),
                Map.entry("retrain.max-retrains", "0"), Map.entry("retrain.min-examples", "1"), Map.entry("retrain.after-drift-examples", "-5"),
                Map.entry("retrain.buffer-size", "1"), Map.entry("retrain.holdout-fraction", "1.0"), Map.entry("retrain.epochs", "0"),
                Map.entry("retrain.batch-size", "0"), Map.entry("retrain.batches-per-step", "0"), Map.entry("retrain.scratch-hidden", "32,0"),
                Map.entry("retrain.scratch-learning-rate", "0"), Map.entry("gate.metric", "f1"), Map.entry("gate.guard-metric", "f2"),
                Map.entry("gate.guard-tolerance", "-1"), Map.entry("gate.shadow-examples", "-1"), Map.entry("gate.shadow-timeout", "0s"),
                Map.entry("rollback.margin", "lots"), Map.entry("rollback.min-examples", "0"), Map.entry("online.batch-size", "65"),
                Map.entry("online.publish-every-labels", "0"), Map.entry("online.compare-rows", "0"), Map.entry("online.margin", "-1"),
                Map.entry("online.drift-boost", "0.5"), Map.entry("online.boost-examples", "-1"), Map.entry("retrain.mode", "sometimes"));
        bad.forEach((key, value) -> {
            Configuration config = mode("stateless");
            config.setString(key, value);
            assertThatThrownBy(() -> TrainerSettings.from(config, "m")).as(key + "=" + value).isInstanceOf(InvalidOptionException.class)
                    .extracting(e -> ((InvalidOptionException) e).key()).isEqualTo(key);
        });
    }

    @Test
    void modeOffHasNoTrainer() {
        assertThat(TrainerOptions.mode(new Configuration())).isEmpty();
        assertThatThrownBy(() -> TrainerSettings.from(new Configuration(), "m")).isInstanceOf(InvalidOptionException.class)
                .hasMessageStartingWith("retrain.mode: ");
    }

    private static Configuration mode(String mode) {
        Configuration config = new Configuration();
        config.set(TrainerOptions.MODE, mode);
        return config;
    }
}
