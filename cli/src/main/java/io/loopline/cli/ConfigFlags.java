package io.loopline.cli;

import io.loopline.jobs.config.BackfillOptions;
import io.loopline.jobs.config.KafkaOptions;
import io.loopline.jobs.config.LearningOptions;
import io.loopline.jobs.config.OptionTypes;
import io.loopline.jobs.config.ServingOptions;
import io.loopline.jobs.config.TrainingOptions;
import io.loopline.operators.config.InvalidOptionException;
import io.loopline.operators.retraining.TrainerOptions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.StateBackendOptions;
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
    /**
     * A flag that sets an option; a required one must be given (the option has no default). A flag
     * onto one of Flink's own options carries a short description of its own (Flink's are written
     * for its reference, not for a command's help).
     */
    record Flag(String name, ConfigOption<?> option, boolean required, List<String> aliases, String description) {
        Flag(String name, ConfigOption<?> option) {
            this(name, option, false, List.of(), null);
        }

        static Flag required(String name, ConfigOption<?> option) {
            return new Flag(name, option, true, List.of(), null);
        }

        /** The same flag under older names too, kept for the scripts that use them. */
        Flag alsoNamed(String... older) {
            return new Flag(name, option, required, List.of(older), description);
        }

        Flag describedAs(String text) {
            return new Flag(name, option, required, aliases, text);
        }

        String[] names() {
            var names = new java.util.ArrayList<String>();
            names.add(name);
            names.addAll(aliases);
            return names.toArray(String[]::new);
        }
    }

    /** Flink's own options, for the commands that run their jobs in this JVM; each command sets its own defaults. */
    static final Flag PARALLELISM = new Flag("--parallelism", CoreOptions.DEFAULT_PARALLELISM)
            .describedAs("Flink parallelism of the jobs this command runs.");
    static final Flag CHECKPOINT_INTERVAL = new Flag("--checkpoint-interval", CheckpointingOptions.CHECKPOINTING_INTERVAL)
            .describedAs("How often the jobs checkpoint; exactly-once output is committed at each checkpoint.");
    static final Flag CHECKPOINT_FOLDER = new Flag("--state-dir", CheckpointingOptions.CHECKPOINTS_DIRECTORY)
            .describedAs("Folder for the job's checkpoints (serve, learn).");
    static final Flag STATE_BACKEND = new Flag("--state-backend", StateBackendOptions.STATE_BACKEND)
            .describedAs("Keyed state backend of the benchmarks: rocksdb or hashmap.");

    /** The flags onto Flink's options, for the reference. */
    static final List<Flag> FLINK = List.of(PARALLELISM, CHECKPOINT_INTERVAL, CHECKPOINT_FOLDER, STATE_BACKEND);

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

    /** {@code learn}: Kafka and topics, the label join, evaluation and drift, the retraining mode, then the trainer's flags. */
    static final List<Flag> LEARN = concat(List.of(
            Flag.required("--profile", ServingOptions.PROFILE),
            Flag.required("--bootstrap-servers", KafkaOptions.BOOTSTRAP_SERVERS),
            new Flag("--group-id", KafkaOptions.GROUP_ID),
            new Flag("--model-store", ServingOptions.MODEL_STORE),
            new Flag("--model", ServingOptions.MODEL_NAME),
            new Flag("--models-topic", KafkaOptions.MODELS),
            new Flag("--feature-log-topic", KafkaOptions.FEATURE_LOG),
            new Flag("--shadow-log-topic", KafkaOptions.SHADOW_LOG),
            new Flag("--labels-topic", KafkaOptions.LABELS),
            new Flag("--drift-topic", KafkaOptions.DRIFT),
            new Flag("--dead-letter-topic", KafkaOptions.DEAD_LETTERS),
            new Flag("--feedback-window", LearningOptions.FEEDBACK_WINDOW),
            new Flag("--default-label", LearningOptions.DEFAULT_LABEL),
            new Flag("--out-of-orderness", LearningOptions.OUT_OF_ORDERNESS),
            new Flag("--labels-idle-after", LearningOptions.LABELS_IDLE_AFTER),
            new Flag("--evaluation-window", LearningOptions.EVALUATION_WINDOW),
            new Flag("--evaluation-slide", LearningOptions.EVALUATION_SLIDE),
            new Flag("--drift-window", LearningOptions.DRIFT_WINDOW),
            new Flag("--retrain", TrainerOptions.MODE), new Flag("--max-parallelism", ServingOptions.MAX_PARALLELISM), PARALLELISM, CHECKPOINT_INTERVAL,
            CHECKPOINT_FOLDER), TRAINER);

    /** {@code serve}: Kafka and topics, the spec, profile and model, and how it scores. */
    static final List<Flag> SERVE = List.of(
            Flag.required("--spec", ServingOptions.SPEC),
            Flag.required("--profile", ServingOptions.PROFILE),
            Flag.required("--bootstrap-servers", KafkaOptions.BOOTSTRAP_SERVERS),
            new Flag("--group-id", KafkaOptions.GROUP_ID),
            new Flag("--events-topic", KafkaOptions.EVENTS),
            new Flag("--dead-letter-topic", KafkaOptions.DEAD_LETTERS),
            new Flag("--labels-topic", KafkaOptions.LABELS),
            new Flag("--model", ServingOptions.MODEL_NAME),
            new Flag("--model-store", ServingOptions.MODEL_STORE),
            new Flag("--models-topic", KafkaOptions.MODELS),
            new Flag("--predictions-topic", KafkaOptions.PREDICTIONS),
            new Flag("--predictions-delivery", ServingOptions.PREDICTIONS_DELIVERY),
            new Flag("--feature-log-topic", KafkaOptions.FEATURE_LOG),
            new Flag("--shadow-log-topic", KafkaOptions.SHADOW_LOG),
            new Flag("--batch-size", ServingOptions.SCORING_BATCH_SIZE),
            new Flag("--max-batch-delay", ServingOptions.SCORING_MAX_BATCH_DELAY),
            new Flag("--max-held", ServingOptions.SCORING_MAX_HELD),
            new Flag("--max-parallelism", ServingOptions.MAX_PARALLELISM),
            new Flag("--features-topic", KafkaOptions.FEATURES),
            PARALLELISM, CHECKPOINT_INTERVAL, CHECKPOINT_FOLDER);

    /** {@code backfill}: the spec, the output and the batch job's settings (the input is files or a Kafka range, given apart). */
    static final List<Flag> BACKFILL = List.of(
            Flag.required("--spec", ServingOptions.SPEC),
            new Flag("--format", BackfillOptions.INPUT_FORMAT),
            Flag.required("--output", BackfillOptions.OUTPUT),
            new Flag("--overwrite", BackfillOptions.OVERWRITE),
            new Flag("--parallelism", BackfillOptions.PARALLELISM),
            new Flag("--max-parallelism", ServingOptions.MAX_PARALLELISM),
            new Flag("--savepoint", BackfillOptions.SAVEPOINT),
            new Flag("--bins", BackfillOptions.PROFILE_BINS),
            new Flag("--bootstrap-servers", KafkaOptions.BOOTSTRAP_SERVERS).describedAs("Kafka to read --kafka-topic from."));

    /** {@code demo}: its topics, key groups and how predictions are delivered (its own broker unless one is given). */
    static final List<Flag> DEMO = List.of(
            new Flag("--max-parallelism", ServingOptions.MAX_PARALLELISM),
            new Flag("--events-topic", KafkaOptions.EVENTS),
            new Flag("--feature-log-topic", KafkaOptions.FEATURE_LOG).alsoNamed("--features-topic"),
            new Flag("--predictions-topic", KafkaOptions.PREDICTIONS),
            new Flag("--models-topic", KafkaOptions.MODELS),
            new Flag("--labels-topic", KafkaOptions.LABELS),
            new Flag("--drift-topic", KafkaOptions.DRIFT),
            new Flag("--dead-letter-topic", KafkaOptions.DEAD_LETTERS),
            new Flag("--predictions-delivery", ServingOptions.PREDICTIONS_DELIVERY),
            new Flag("--bootstrap-servers", KafkaOptions.BOOTSTRAP_SERVERS).describedAs("Use this Kafka cluster instead of starting a local broker."),
            PARALLELISM, CHECKPOINT_INTERVAL);

    /** {@code replay}: where the rows and their labels go. */
    static final List<Flag> REPLAY = List.of(
            Flag.required("--spec", ServingOptions.SPEC).describedAs("Feature spec that reads it (file or built-in name)."),
            Flag.required("--bootstrap-servers", KafkaOptions.BOOTSTRAP_SERVERS),
            new Flag("--events-topic", KafkaOptions.EVENTS),
            new Flag("--labels-topic", KafkaOptions.LABELS));

    /** {@code train}: the training set, the store, the network and the split, and where the new version is announced. */
    static final List<Flag> TRAIN = List.of(
            Flag.required("--spec", ServingOptions.SPEC),
            Flag.required("--backfill", TrainingOptions.BACKFILL),
            Flag.required("--store", ServingOptions.MODEL_STORE),
            Flag.required("--name", ServingOptions.MODEL_NAME),
            new Flag("--hidden", TrainingOptions.HIDDEN),
            new Flag("--activation", TrainingOptions.ACTIVATION),
            new Flag("--learning-rate", TrainingOptions.LEARNING_RATE),
            new Flag("--l2", TrainingOptions.L2),
            new Flag("--epochs", TrainingOptions.EPOCHS),
            new Flag("--batch-size", TrainingOptions.BATCH_SIZE),
            new Flag("--validation-fraction", TrainingOptions.VALIDATION_FRACTION),
            new Flag("--seed", TrainingOptions.SEED),
            new Flag("--warm-start-from", TrainingOptions.WARM_START_FROM),
            new Flag("--bootstrap-servers", KafkaOptions.BOOTSTRAP_SERVERS),
            new Flag("--models-topic", KafkaOptions.MODELS));

    /** {@code models list}: the store, and optionally one model. */
    static final List<Flag> MODELS_LIST = List.of(
            Flag.required("--store", ServingOptions.MODEL_STORE),
            new Flag("--name", ServingOptions.MODEL_NAME).describedAs("Only this model."));

    /** {@code models show}: the store. */
    static final List<Flag> MODELS_READ = List.of(Flag.required("--store", ServingOptions.MODEL_STORE));

    /** {@code models promote} and {@code rollback}: the store, and where the new champion is announced if at all. */
    static final List<Flag> MODELS_ANNOUNCE = List.of(
            Flag.required("--store", ServingOptions.MODEL_STORE),
            new Flag("--bootstrap-servers", KafkaOptions.BOOTSTRAP_SERVERS).describedAs("Announce the new champion on this Kafka."),
            new Flag("--models-topic", KafkaOptions.MODELS));

    /** {@code models shadow}, {@code canary} and {@code end-trial}: the store and the serving job's Kafka. */
    static final List<Flag> MODELS_TRIAL = List.of(
            Flag.required("--store", ServingOptions.MODEL_STORE),
            Flag.required("--bootstrap-servers", KafkaOptions.BOOTSTRAP_SERVERS).describedAs("The Kafka of the serving job."),
            new Flag("--models-topic", KafkaOptions.MODELS));

    /** {@code dead-letters}: the Kafka and the topic it reads. */
    static final List<Flag> DEAD_LETTERS = List.of(
            Flag.required("--bootstrap-servers", KafkaOptions.BOOTSTRAP_SERVERS),
            new Flag("--topic", KafkaOptions.DEAD_LETTERS));

    /** {@code evaluate}: the jobs it runs in this JVM, then the trainer's flags. */
    static final List<Flag> EVALUATE = concat(List.of(
            Flag.required("--spec", ServingOptions.SPEC).describedAs("Feature spec (file or built-in name, e.g. examples/elec2/elec2.yaml)."),
            new Flag("--bootstrap-servers", KafkaOptions.BOOTSTRAP_SERVERS).describedAs("Use this Kafka instead of starting a local broker."),
            new Flag("--hidden", TrainingOptions.HIDDEN).describedAs("v1's hidden layers; none for logistic regression."),
            new Flag("--epochs", TrainingOptions.EPOCHS).describedAs("v1's passes over the history."),
            new Flag("--learning-rate", TrainingOptions.LEARNING_RATE).describedAs("v1's Adam learning rate."),
            PARALLELISM,
            CHECKPOINT_INTERVAL.describedAs("Outputs are committed (visible to the learning job) at checkpoints, so each lockstep step waits"
                    + " for one; 200ms in lockstep and 1s with --pace rate when not given.")), TRAINER);

    /** {@code submit}: the job's parallelism on the cluster. */
    static final List<Flag> SUBMIT = List.of(PARALLELISM.describedAs("Job parallelism; -1: the cluster's parallelism.default."));

    /** {@code bench features} and {@code bench learning}: the spec where it has one, and the jobs it runs. */
    static final List<Flag> BENCH_FEATURES = List.of(new Flag("--spec", ServingOptions.SPEC), PARALLELISM, CHECKPOINT_INTERVAL, STATE_BACKEND);
    static final List<Flag> BENCH_LEARNING = List.of(PARALLELISM, CHECKPOINT_INTERVAL, STATE_BACKEND);
    static final List<Flag> BENCH_STATE = List.of(new Flag("--spec", ServingOptions.SPEC), PARALLELISM, CHECKPOINT_INTERVAL);

    /** {@code bench serving}: the micro-batches of the scoring it measures. */
    static final List<Flag> BENCH_SERVING = List.of(
            new Flag("--batch-size", ServingOptions.SCORING_BATCH_SIZE),
            new Flag("--max-batch-delay", ServingOptions.SCORING_MAX_BATCH_DELAY),
            new Flag("--bootstrap-servers", KafkaOptions.BOOTSTRAP_SERVERS).describedAs("Use this Kafka instead of starting a local broker."),
            PARALLELISM, CHECKPOINT_INTERVAL, STATE_BACKEND);

    /** Every flag that names an option, for the reference (a key's first flag here is the one it lists). */
    static final List<Flag> ALL = concat(concat(concat(LEARN, SERVE), BACKFILL), TRAIN);

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
            String text = flag.description() != null ? flag.description() : ConfigurationReference.description(option);
            String description = text + " (key " + option.key()
                    + (fallback != null ? "; default: " + fallback : "") + ")";
            OptionSpec.Builder spec = OptionSpec.builder(flag.names()).required(flag.required()).description(description.replace("%", "%%"));
            if (isSwitch(option)) {
                spec.arity("0").type(boolean.class);
            } else {
                spec.arity("1").type(String.class).paramLabel("<" + OptionTypes.name(option).toLowerCase(java.util.Locale.ROOT) + ">");
            }
            command.addOption(spec.build());
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
            String value = isSwitch(flag.option()) ? "true" : String.valueOf(command.findOption(flag.name()).<Object>getValue()).trim();
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

    /** {@code predictions.delivery} as its enum, a wrong value named under the flag. */
    static io.loopline.kafka.PredictionDelivery delivery(CommandSpec command, Configuration config) {
        try {
            return io.loopline.kafka.PredictionDelivery.parse(config.get(ServingOptions.PREDICTIONS_DELIVERY));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command.commandLine(), "--predictions-delivery: " + e.getMessage());
        }
    }

    /** What the benchmarks run with unless told otherwise: the demo's spec, two tasks, RocksDB, checkpoints every {@code interval}. */
    static Configuration benchDefaults(java.time.Duration checkpointInterval) {
        return new Configuration().set(ServingOptions.SPEC, "transactions").set(CoreOptions.DEFAULT_PARALLELISM, 2)
                .set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval).set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    }

    /** The folder of {@link #CHECKPOINT_FOLDER}, created, as an absolute path. */
    static java.nio.file.Path checkpointFolder(Configuration config) throws java.io.IOException {
        return java.nio.file.Files.createDirectories(java.nio.file.Path.of(config.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))).toAbsolutePath();
    }

    static Optional<String> flagOf(List<Flag> flags, String key) {
        return flags.stream().filter(f -> f.option().key().equals(key)).map(Flag::name).findFirst();
    }

    private static boolean isSwitch(ConfigOption<?> option) {
        return OptionTypes.of(option) == Boolean.class;
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
