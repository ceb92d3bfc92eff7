package io.loopline.jobs.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loopline.jobs.backfill.BackfillJob;
import io.loopline.jobs.config.JobConfig;
import io.loopline.jobs.config.JobStartup;
import io.loopline.jobs.config.KafkaOptions;
import io.loopline.jobs.config.ServingOptions;
import io.loopline.jobs.config.TrainingOptions;
import io.loopline.kafka.ModelAnnouncements;
import io.loopline.operators.config.InvalidOptionException;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.scoring.ModelStoreSupplier;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.model.ModelStore;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Initial training as a cluster job: {@code flink run -c io.loopline.jobs.training.TrainingJob
 * loopline-jobs-job.jar --config training.properties}. One task on a TaskManager (where DL4J's
 * natives are) streams the backfill's training set from any Flink file system, trains, validates
 * on the most recent rows and publishes the version to the model store; the client then prints what
 * was trained and, when {@code bootstrap.servers} is set, announces it on the models topic so serving
 * jobs swap to it. DL4J trains one network on one machine, so the job has one task: what it gains
 * is the cluster's machine, its file systems and its natives, not data parallelism.
 */
public final class TrainingJob {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingJob() {}

    public static void main(String[] args) throws Exception {
        // Loopline's keys may also come from the cluster's configuration (config.yaml, flink run -Dkey=value).
        var cluster = StreamExecutionEnvironment.getExecutionEnvironment().getConfiguration();
        run(JobConfig.fromArgs(args, cluster), System.out);
    }

    /** Reads the keys (deploy/jobs/training.properties), runs the training job, and returns the published version. */
    public static ModelMetadata run(JobConfig config, PrintStream out) throws Exception {
        FeatureSpec spec = JobStartup.spec(config, config.required(ServingOptions.SPEC));
        String backfill = config.required(TrainingOptions.BACKFILL);
        String storeRoot = config.required(ServingOptions.MODEL_STORE);
        String modelName = config.required(ServingOptions.MODEL_NAME);
        Long warmStartFrom = config.get(TrainingOptions.WARM_START_FROM);
        String bootstrap = config.get(KafkaOptions.BOOTSTRAP_SERVERS);
        String modelsTopic = config.get(KafkaOptions.MODELS);
        Map<String, String> clientSettings = config.withPrefix(KafkaOptions.CLIENT_PREFIX);
        InitialTraining training;
        try {
            training = InitialTraining.from(spec, config);
        } catch (InvalidOptionException e) {
            throw config.error(e.key(), e.problem());
        }
        config.rejectUnknownKeys();

        ModelStoreSupplier stores = JobStartup.storeAt(config, storeRoot);
        ModelStore store = stores.open();
        if (warmStartFrom != null && store.get(modelName, warmStartFrom).isEmpty()) {
            throw config.error(TrainingOptions.WARM_START_FROM.key(), modelName + " v" + warmStartFrom + " is not in the store " + storeRoot);
        }
        Path trainingDir = new Path(new Path(backfill), BackfillJob.TRAINING_DIR);
        if (!trainingDir.getFileSystem().exists(trainingDir)) {
            throw config.error(TrainingOptions.BACKFILL.key(), trainingDir + " does not exist: run the backfill into " + backfill + " first");
        }
        out.printf("Training %s on %s with spec '%s' (%d feature columns)%n", modelName, trainingDir, spec.name(), spec.dimension());

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(1);
        var trained = env.fromData(trainingDir.toString()).name("Training Set Folder")
                .map(new TrainOnTaskManager(spec, training.network(), training.validationFraction(), stores, modelName, warmStartFrom))
                .name("Initial Training").uid("initial-training");
        JsonNode summary;
        try (CloseableIterator<String> results = trained.executeAndCollect("Loopline training of " + modelName)) {
            summary = JSON.readTree(results.next());
        }
        ModelMetadata model = store.get(modelName, summary.get("version").asLong()).orElseThrow(() -> new IllegalStateException(
                "the training task published " + modelName + " v" + summary.get("version") + ", but the store at " + storeRoot + " does not list it"));
        InitialTraining.print(model, summary.get("validationRows").asInt(), store.artifactUri(model), out);
        if (bootstrap != null) {
            var kafka = JobStartup.connection(config, bootstrap, clientSettings);
            JobStartup.ensureTopics(config, kafka, Map.of(modelsTopic, 1), Set.of(modelsTopic), Duration.ofSeconds(30));
            ModelAnnouncements.announce(kafka, modelsTopic, store, model);
            out.printf("  announced on %s at %s%n", modelsTopic, bootstrap);
        }
        return model;
    }

    /** Trains in the task (the training set's folder is its one input) and hands back the version and the split's sizes as JSON. */
    private static final class TrainOnTaskManager extends RichMapFunction<String, String> {
        private static final long serialVersionUID = 1L;
        private final FeatureSpec spec;
        private final NetworkSettings network;
        private final double validationFraction;
        private final ModelStoreSupplier stores;
        private final String modelName;
        private final Long warmStartFrom;

        TrainOnTaskManager(FeatureSpec spec, NetworkSettings network, double validationFraction, ModelStoreSupplier stores, String modelName,
                Long warmStartFrom) {
            this.spec = spec;
            this.network = network;
            this.validationFraction = validationFraction;
            this.stores = stores;
            this.modelName = modelName;
            this.warmStartFrom = warmStartFrom;
        }

        @Override
        public String map(String trainingDir) throws Exception {
            ModelStore store = stores.open();
            ModelMetadata parent = warmStartFrom == null ? null : store.get(modelName, warmStartFrom).orElseThrow(() ->
                    new IllegalArgumentException(TrainingOptions.WARM_START_FROM.key() + ": " + modelName + " v" + warmStartFrom + " is not in the store"));
            InitialTraining.Result result = new InitialTraining(spec, network, validationFraction).run(new Path(trainingDir), store, modelName, parent);
            return JSON.createObjectNode().put("version", result.model().version()).put("trainingRows", result.trainingRows())
                    .put("validationRows", result.validationRows()).toString();
        }
    }
}
