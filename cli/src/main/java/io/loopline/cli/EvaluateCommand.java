package io.loopline.cli;

import io.loopline.jobs.config.SpecLoader;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.config.InvalidOptionException;
import io.loopline.operators.retraining.TrainerOptions;
import io.loopline.operators.retraining.TrainerSettings;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.replay.EvaluationResult;
import io.loopline.replay.PrequentialEvaluation;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import io.loopline.jobs.config.KafkaOptions;
import io.loopline.jobs.config.ServingOptions;
import io.loopline.jobs.config.TrainingOptions;
import io.loopline.jobs.training.InitialTraining;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the whole system on a labelled file and prints what its served predictions scored: the first --warmup-fraction of"
                    + " the rows is history (backfilled in Flink BATCH, v1 trained on it); the rest is replayed into Kafka as a live"
                    + " stream, each label --label-delay rows after its event; the serving job scores every event (Flink MiniCluster,"
                    + " exactly-once outputs) and the learning job evaluates, detects drift and, with --policy stateless or stateful,"
                    + " retrains, gates and promotes challengers, which serving swaps in.",
            "Output: prequential accuracy of the served predictions, the no-change baseline on the same rows, kappa-temporal,"
                    + " promotions, training rows, detected drifts (one JSON object with --json).",
            "Unless given, the retraining cool-down here is 500 labelled examples (not event time) and the buffer 5,000 examples."
        },
        sortOptions = false)
final class EvaluateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Option(names = "--data", required = true, description = "Labelled CSV (or .jsonl) file, rows in time order.")
    Path data;

    @Option(names = "--label-column", required = true, description = "The column with the label (text labels are mapped by the spec's label values).")
    String labelColumn;

    @Option(names = "--label-delay", defaultValue = "1", description = "A row's label arrives this many rows after it (default: ${DEFAULT-VALUE}).")
    int labelDelay;

    @Option(names = "--policy", required = true, description = "frozen (v1 serves throughout), stateless (retrain from scratch), stateful (fine-tune the champion when triggered) or online"
            + " (the champion learns from every labelled mini-batch; snapshots serve as they prove themselves).")
    String policy;

    @Option(names = "--warmup-fraction", defaultValue = "0.1", description = "Share of the rows used as history (default: ${DEFAULT-VALUE}).")
    double warmupFraction;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--pace", description = "lockstep: every --lockstep-rows rows the replay waits until the loop has taken in the labels written so far"
            + " (the same result on a fast or a slow machine); rate: --rate rows per second of wall-clock time, as a live stream would come."
            + " Default: lockstep, or rate when --rate is given.")
    String pace;

    @Option(names = "--export", description = "Write what was served to this CSV file, one row per evaluated row in order: the feature columns as served"
            + " (the spec's names), label, score, model_version, event_id. Run another learner on it with the same --label-delay for a like-for-like comparison.")
    Path export;

    @Option(names = "--lockstep-rows", defaultValue = "100", description = "Rows per lockstep step (default: ${DEFAULT-VALUE}).")
    int lockstepRows;

    @Option(names = "--rate", defaultValue = "500", description = "With --pace rate: replayed rows per second; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--timeout", defaultValue = "30min", description = "Give up if the predictions are not all committed by then (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    /**
     * The trainer's settings that differ here from the options' defaults: a replay's event time says
     * little, so the cool-down counts labelled examples; results must not depend on the machine's
     * speed, so snapshots are published by labels only.
     */
    static final Configuration DEFAULTS = defaults();

    private static Configuration defaults() {
        Configuration defaults = new Configuration();
        defaults.set(TrainerOptions.COOLDOWN, Duration.ZERO);
        defaults.set(TrainerOptions.COOLDOWN_EXAMPLES, 500L);
        defaults.set(TrainerOptions.BUFFER_SIZE, 5000);
        defaults.set(TrainerOptions.ONLINE_PUBLISH_EVERY, Duration.ZERO);
        // v1 trains on the replay's history, which is short: more passes, smaller batches.
        defaults.set(TrainingOptions.EPOCHS, 20);
        defaults.set(TrainingOptions.BATCH_SIZE, 64);
        defaults.set(CoreOptions.DEFAULT_PARALLELISM, 1);
        return defaults;
    }

    @Override
    public Integer call() throws Exception {
        Configuration conf = ConfigFlags.read(commandSpec, ConfigFlags.EVALUATE, DEFAULTS);
        String spec = conf.get(ServingOptions.SPEC);
        if (!Files.isRegularFile(data)) {
            throw new IllegalArgumentException("--data: " + data + " is not a file");
        }
        FeatureSpec featureSpec = SpecLoader.load(spec);
        var parse = commandSpec.commandLine().getParseResult();
        NetworkSettings network;
        try {
            network = InitialTraining.from(featureSpec, conf).network();
        } catch (InvalidOptionException e) {
            throw ConfigFlags.error(commandSpec, ConfigFlags.EVALUATE, e);
        }
        String bootstrapServers = conf.get(KafkaOptions.BOOTSTRAP_SERVERS);
        int parallelism = conf.get(CoreOptions.DEFAULT_PARALLELISM);
        Duration checkpointInterval = conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL);
        if (!List.of("frozen", "stateless", "stateful", "online").contains(policy)) {
            throw new CommandLine.ParameterException(commandSpec.commandLine(), "--policy must be frozen, stateless, stateful or online, got '" + policy + "'");
        }
        TrainerSettings trainer = null;
        if (!policy.equals("frozen")) {
            Configuration trainerConfig = new Configuration(conf);
            trainerConfig.set(TrainerOptions.MODE, policy);
            try {
                trainer = TrainerSettings.from(trainerConfig, "model");
            } catch (InvalidOptionException e) {
                throw ConfigFlags.error(commandSpec, ConfigFlags.EVALUATE, e);
            }
        }
        PrintStream progress = json ? System.err : System.out;
        String chosenPace = pace != null ? pace : parse.hasMatchedOption("--rate") ? "rate" : "lockstep";
        if (!chosenPace.equals("rate") && !chosenPace.equals("lockstep")) {
            throw new CommandLine.ParameterException(commandSpec.commandLine(), "--pace must be lockstep or rate, got '" + pace + "'");
        }
        var settings = new PrequentialEvaluation.Settings(featureSpec, data, labelColumn, labelDelay, policy, warmupFraction, rate, network, trainer,
                parallelism, checkpointInterval != null ? checkpointInterval : chosenPace.equals("lockstep") ? Duration.ofMillis(200) : Duration.ofSeconds(1),
                timeout, chosenPace.equals("lockstep") ? lockstepRows : 0, export);
        EvaluationResult r = new PrequentialEvaluation(settings, progress).run(bootstrapServers);
        if (json) {
            System.out.println(r.toJson());
        } else {
            System.out.printf(Locale.ROOT, "%n%-24s %s%n", "policy", r.policy());
            System.out.printf(Locale.ROOT, "%-24s %,d (after %,d history rows)%n", "rows scored", r.rows(), r.warmupRows());
            System.out.printf(Locale.ROOT, "%-24s %.4f%n", "accuracy (prequential)", r.accuracy());
            System.out.printf(Locale.ROOT, "%-24s %.4f (label of the row %d before; immediate labels: %.4f)%n", "no-change accuracy",
                    r.noChangeAccuracy(), labelDelay + 1, r.noChangeImmediateAccuracy());
            System.out.printf(Locale.ROOT, "%-24s %.4f%n", "kappa-temporal", r.kappaTemporal());
            System.out.printf(Locale.ROOT, "%-24s %d promoted, %d rejected, %d rolled back%n", "challengers", r.modelsPromoted(), r.challengersRejected(),
                    r.rollbacks());
            System.out.printf(Locale.ROOT, "%-24s %,d%n", "training rows", r.trainingRows());
            System.out.printf(Locale.ROOT, "%-24s %d%n", "drifts detected", r.driftsDetected());
            System.out.printf(Locale.ROOT, "%-24s %s%n", "predictions by version", r.predictionsByVersion());
            System.out.printf(Locale.ROOT, "%-24s %.1f s (replay %.1f s)%n", "wall time", r.wallSeconds(), r.replaySeconds());
        }
        return 0;
    }
}
