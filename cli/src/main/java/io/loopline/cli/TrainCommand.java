package io.loopline.cli;

import io.loopline.jobs.backfill.BackfillJob;
import io.loopline.jobs.config.KafkaOptions;
import io.loopline.jobs.config.ServingOptions;
import io.loopline.jobs.config.SpecLoader;
import io.loopline.jobs.config.TrainingOptions;
import io.loopline.jobs.training.InitialTraining;
import io.loopline.kafka.KafkaTopics;
import io.loopline.kafka.ModelAnnouncements;
import io.loopline.operators.config.InvalidOptionException;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.model.ModelMetadata;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import picocli.CommandLine.Command;

/**
 * Training in this JVM. Its flags are the keys of the training job ({@code TrainingJob}, which runs
 * the same training on a cluster's TaskManager), mapped in {@link ConfigFlags#TRAIN}.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Trains a DL4J classifier on a backfill's training set (time-based split: the most recent rows validate)"
                + " and publishes it, with its optimizer state, to the model store as the next version.",
        sortOptions = false)
final class TrainCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    @picocli.CommandLine.Mixin
    KafkaClientOptions kafkaOptions = new KafkaClientOptions();

    @Override
    public Integer call() throws Exception {
        Configuration conf = ConfigFlags.read(commandSpec, ConfigFlags.TRAIN, new Configuration());
        String spec = conf.get(ServingOptions.SPEC);
        String store = conf.get(ServingOptions.MODEL_STORE);
        String name = conf.get(ServingOptions.MODEL_NAME);
        InitialTraining training;
        try {
            training = InitialTraining.from(SpecLoader.load(spec), conf);
        } catch (InvalidOptionException e) {
            throw ConfigFlags.error(commandSpec, ConfigFlags.TRAIN, e);
        }
        var modelStore = new FileSystemModelStore(new Path(store));
        ModelMetadata parent = null;
        Long warmStartFrom = conf.get(TrainingOptions.WARM_START_FROM);
        if (warmStartFrom != null) {
            parent = modelStore.get(name, warmStartFrom).orElseThrow(() -> new IllegalArgumentException(
                    "--warm-start-from: " + name + " v" + warmStartFrom + " is not in the store " + store));
        }
        InitialTraining.Result r = training.run(new Path(new Path(conf.get(TrainingOptions.BACKFILL)), BackfillJob.TRAINING_DIR), modelStore, name,
                parent);
        InitialTraining.print(r.model(), r.validationRows(), modelStore.artifactUri(r.model()), System.out);
        String bootstrapServers = conf.get(KafkaOptions.BOOTSTRAP_SERVERS);
        if (bootstrapServers != null) {
            String modelsTopic = conf.get(KafkaOptions.MODELS);
            var kafka = kafkaOptions.connection(bootstrapServers);
            KafkaTopics.ensure(kafka, Map.of(modelsTopic, 1), Set.of(modelsTopic), Duration.ofSeconds(30));
            ModelAnnouncements.announce(kafka, modelsTopic, modelStore, r.model());
            System.out.printf("  announced on %s at %s%n", modelsTopic, bootstrapServers);
        }
        return 0;
    }
}
