package io.loopline.cli;

import io.loopline.jobs.config.SpecLoader;
import io.loopline.jobs.backfill.BackfillJob;
import io.loopline.jobs.training.InitialTraining;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.FileSystemModelStore;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.core.fs.Path;
import io.loopline.jobs.config.KafkaOptions;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import io.loopline.kafka.KafkaTopics;
import io.loopline.kafka.ModelAnnouncements;
import io.loopline.state.model.ModelMetadata;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Trains a DL4J classifier on a backfill's training set (time-based split: the most recent rows validate)"
                + " and publishes it, with its optimizer state, to the model store as the next version.",
        sortOptions = false)
final class TrainCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    @Option(names = "--spec", required = true, description = "The feature spec the backfill used (file or built-in name).")
    String spec;

    @Option(names = "--backfill", required = true, description = "The backfill's output folder (its training/ is read).")
    String backfill;

    @Option(names = "--store", required = true, description = "Model store root (any Flink FileSystem path).")
    String store;

    @Option(names = "--name", required = true, description = "Model name in the store.")
    String name;

    @Option(names = "--hidden", split = ",", defaultValue = "32,16", description = "Hidden layer widths; none for logistic regression (default: ${DEFAULT-VALUE}).")
    List<Integer> hidden;

    @Option(names = "--activation", defaultValue = "relu", description = "Hidden activation (DL4J Activation name) (default: ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--learning-rate", defaultValue = "0.003", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--l2", defaultValue = "0.0001", description = "L2 regularization (default: ${DEFAULT-VALUE}).")
    double l2;

    @Option(names = "--epochs", defaultValue = "5", description = "Passes over the training rows (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "256", description = "Rows per gradient step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--validation-fraction", defaultValue = "0.2", description = "Most recent share of rows held out (default: ${DEFAULT-VALUE}).")
    double validationFraction;

    @Option(names = "--seed", defaultValue = "7", description = "Initialization and shuffling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--warm-start-from", paramLabel = "VERSION",
            description = "Continue training this published version of --name (weights and optimizer state) instead of a new network.")
    Long warmStartFrom;

    @Option(names = "--bootstrap-servers",
            description = "When given, the new version is announced on the models topic of this Kafka, so serving jobs swap to it.")
    String bootstrapServers;

    @picocli.CommandLine.Mixin
    KafkaClientOptions kafkaOptions = new KafkaClientOptions();

    @Override
    public Integer call() throws Exception {
        Configuration conf = ConfigFlags.read(commandSpec, ConfigFlags.TRAIN, new Configuration());
        String modelsTopic = conf.get(KafkaOptions.MODELS);
        var settings = new NetworkSettings(hidden == null ? List.of() : hidden, activation, learningRate, l2, epochs, batchSize, seed);
        var training = new InitialTraining(SpecLoader.load(spec), settings, validationFraction);
        var modelStore = new FileSystemModelStore(new Path(store));
        ModelMetadata parent = null;
        if (warmStartFrom != null) {
            parent = modelStore.get(name, warmStartFrom).orElseThrow(() -> new IllegalArgumentException(
                    "--warm-start-from: " + name + " v" + warmStartFrom + " is not in the store " + store));
        }
        InitialTraining.Result r = training.run(new Path(new Path(backfill), BackfillJob.TRAINING_DIR), modelStore, name, parent);
        System.out.printf(Locale.ROOT, "Trained %s v%d on %,d rows, validated on the %,d most recent:%n", r.model().name(), r.model().version(),
                r.trainingRows(), r.validationRows());
        System.out.printf(Locale.ROOT, "  validation AUC %.4f, log loss %.4f, accuracy %.4f, Brier %.4f (positive rate %.4f)%n",
                r.validation().auc(), r.validation().logLoss(), r.validation().accuracy(), r.validation().brier(), r.validation().positiveRate());
        System.out.printf(Locale.ROOT, "  training   AUC %.4f, log loss %.4f%n", r.training().auc(), r.training().logLoss());
        System.out.printf("  published %s (sha256 %s)%n", new FileSystemModelStore(new Path(store)).artifactUri(r.model()), r.model().sha256());
        if (bootstrapServers != null) {
            var kafka = kafkaOptions.connection(bootstrapServers);
            KafkaTopics.ensure(kafka, Map.of(modelsTopic, 1), Set.of(modelsTopic), Duration.ofSeconds(30));
            ModelAnnouncements.announce(kafka, modelsTopic, modelStore, r.model());
            System.out.printf("  announced on %s at %s%n", modelsTopic, bootstrapServers);
        }
        return 0;
    }
}
