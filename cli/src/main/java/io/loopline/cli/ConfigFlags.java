package io.loopline.cli;

import io.loopline.jobs.config.OptionTypes;
import io.loopline.operators.config.InvalidOptionException;
import io.loopline.operators.retraining.TrainerOptions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command-line flags that are job options under another name: one row per flag, so a command
 * gets the option's description, default and checks without declaring any of them again, and an
 * error about a key is reported under the flag the user typed. docs/configuration.md shows the
 * flag beside each key.
 */
final class ConfigFlags {
    record Flag(String name, ConfigOption<?> option) {}

    /** How and when {@code learn} and {@code evaluate} retrain, judge, roll back and learn online. */
    static final List<Flag> TRAINER = List.of(
            new Flag("--retrain-on-drift", TrainerOptions.ON_DRIFT),
            new Flag("--decay-metric", TrainerOptions.DECAY_METRIC),
            new Flag("--decay-margin", TrainerOptions.DECAY_MARGIN),
            new Flag("--retrain-every", TrainerOptions.EVERY_EXAMPLES),
            new Flag("--retrain-schedule", TrainerOptions.SCHEDULE),
            new Flag("--retrain-cooldown", TrainerOptions.COOLDOWN),
            new Flag("--retrain-cooldown-examples", TrainerOptions.COOLDOWN_EXAMPLES),
            new Flag("--max-retrains", TrainerOptions.MAX_RETRAINS),
            new Flag("--rate-window", TrainerOptions.RATE_WINDOW),
            new Flag("--min-examples", TrainerOptions.MIN_EXAMPLES),
            new Flag("--buffer-size", TrainerOptions.BUFFER_SIZE),
            new Flag("--holdout-fraction", TrainerOptions.HOLDOUT_FRACTION),
            new Flag("--retrain-epochs", TrainerOptions.EPOCHS),
            new Flag("--after-drift-examples", TrainerOptions.AFTER_DRIFT_EXAMPLES),
            new Flag("--retrain-batch-size", TrainerOptions.BATCH_SIZE),
            new Flag("--batches-per-step", TrainerOptions.BATCHES_PER_STEP),
            new Flag("--scratch-hidden", TrainerOptions.SCRATCH_HIDDEN),
            new Flag("--scratch-learning-rate", TrainerOptions.SCRATCH_LEARNING_RATE),
            new Flag("--gate-metric", TrainerOptions.GATE_METRIC),
            new Flag("--gate-margin", TrainerOptions.GATE_MARGIN),
            new Flag("--guard-metric", TrainerOptions.GATE_GUARD_METRIC),
            new Flag("--guard-tolerance", TrainerOptions.GATE_GUARD_TOLERANCE),
            new Flag("--gate-shadow-examples", TrainerOptions.GATE_SHADOW_EXAMPLES),
            new Flag("--gate-shadow-margin", TrainerOptions.GATE_SHADOW_MARGIN),
            new Flag("--gate-shadow-timeout", TrainerOptions.GATE_SHADOW_TIMEOUT),
            new Flag("--rollback-margin", TrainerOptions.ROLLBACK_MARGIN),
            new Flag("--rollback-min-examples", TrainerOptions.ROLLBACK_MIN_EXAMPLES),
            new Flag("--online-batch-size", TrainerOptions.ONLINE_BATCH_SIZE),
            new Flag("--publish-every-labels", TrainerOptions.ONLINE_PUBLISH_EVERY_LABELS),
            new Flag("--publish-every", TrainerOptions.ONLINE_PUBLISH_EVERY),
            new Flag("--online-compare-rows", TrainerOptions.ONLINE_COMPARE_ROWS),
            new Flag("--online-margin", TrainerOptions.ONLINE_MARGIN),
            new Flag("--drift-boost", TrainerOptions.ONLINE_DRIFT_BOOST),
            new Flag("--boost-examples", TrainerOptions.ONLINE_BOOST_EXAMPLES));

    /** {@code learn}'s retraining mode, then the trainer's flags. */
    static final List<Flag> LEARN = concat(List.of(new Flag("--retrain", TrainerOptions.MODE)), TRAINER);

    /** Every flag that names an option, for the reference. */
    static final List<Flag> ALL = LEARN;

    private ConfigFlags() {}

    /**
     * Adds {@code flags} to {@code command}, each described by its option and showing the default the
     * command uses: {@code commandDefaults}' value where it sets one, the option's default otherwise.
     */
    static void addTo(CommandSpec command, List<Flag> flags, Configuration commandDefaults) {
        for (Flag flag : flags) {
            ConfigOption<?> option = flag.option();
            String fallback = commandDefaults.getOptional(option).map(ConfigFlags::format)
                    .orElse(option.hasDefaultValue() ? format(option.defaultValue()) : null);
            String description = ConfigurationReference.description(option) + " (key " + option.key()
                    + (fallback != null ? "; default: " + fallback : "") + ")";
            command.addOption(OptionSpec.builder(flag.name()).type(String.class).paramLabel("<" + OptionTypes.name(option).toLowerCase(java.util.Locale.ROOT) + ">")
                    .description(description.replace("%", "%%")).build());
        }
    }

    /**
     * The command's defaults with every flag the user gave: a value of the wrong type fails here,
     * naming the flag.
     */
    static Configuration read(CommandSpec command, List<Flag> flags, Configuration commandDefaults) {
        Configuration config = new Configuration(commandDefaults);
        CommandLine.ParseResult parsed = command.commandLine().getParseResult();
        for (Flag flag : flags) {
            if (!parsed.hasMatchedOption(flag.name())) {
                continue;
            }
            String value = String.valueOf(command.findOption(flag.name()).<Object>getValue()).trim();
            try {
                Configuration.fromMap(Map.of(flag.option().key(), value)).get(flag.option());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(command.commandLine(),
                        flag.name() + ": must be " + OptionTypes.describe(flag.option()) + ", got '" + value + "'");
            }
            config.setString(flag.option().key(), value);
        }
        return config;
    }

    /** An invalid option as the user typed it: under its flag when it has one here, under its key otherwise. */
    static CommandLine.ParameterException error(CommandSpec command, List<Flag> flags, InvalidOptionException e) {
        String name = flagOf(flags, e.key()).orElse(e.key());
        return new CommandLine.ParameterException(command.commandLine(), name + ": " + e.problem());
    }

    static Optional<String> flagOf(List<Flag> flags, String key) {
        return flags.stream().filter(f -> f.option().key().equals(key)).map(Flag::name).findFirst();
    }

    private static String format(Object value) {
        return ConfigurationReference.format(value);
    }

    private static List<Flag> concat(List<Flag> first, List<Flag> second) {
        var all = new java.util.ArrayList<>(first);
        all.addAll(second);
        return List.copyOf(all);
    }
}
