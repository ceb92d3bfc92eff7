package io.loopline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.loopline.jobs.config.SpecLoader;
import io.loopline.synthetic.TransactionGenerator;
import io.loopline.jobs.LocalEnvironments;
import io.loopline.jobs.config.JobConfig;
import io.loopline.jobs.ServingJobFromConfig;
import io.loopline.jobs.learning.LearningJobFromConfig;
import io.loopline.kafka.KafkaTopics;
import io.loopline.kafka.ModelAnnouncements;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.training.BinaryClassifier;
import io.loopline.operators.training.NetworkSettings;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.model.ModelDraft;
import io.loopline.state.model.ModelMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every retrain mode starts from the shipped job configuration on a real broker: the serving job
 * from deploy/jobs/serving.properties and, for off, stateful, stateless and online, the learning job
 * from deploy/jobs/learning.properties, with only the machine-specific keys given as {@code -Dkey=value}
 * (as {@code flink run ... --config learning.properties -Dretrain.mode=online} would). Each learning
 * job joins the served events with their labels and reports the served model's accuracy. The same
 * serving file without model.name starts a features-only job that writes every event's feature vector.
 */
class JobConfigModesITCase {
    private static final Path DEPLOY = Path.of("..", "deploy", "jobs");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(6).build()); // a slot per job

    @RegisterExtension
    static final LocalKafkaExtension KAFKA = new LocalKafkaExtension();

    @Test
    void theShippedConfigsStartServingAndLearningInEveryRetrainMode(@TempDir Path dir) throws Exception {
        String bootstrap = KAFKA.bootstrapServers();
        FeatureSpec spec = SpecLoader.load("transactions");
        String storeRoot = dir.resolve("models").toUri().toString();
        var store = new FileSystemModelStore(new org.apache.flink.core.fs.Path(storeRoot));
        BinaryClassifier network = BinaryClassifier.create(spec.dimension(), new NetworkSettings(List.of(4), "tanh", 0.01, 0, 1, 8, 1));
        ModelMetadata v1 = store.publish(new ModelDraft("fraud", null, BinaryClassifier.FORMAT, spec.name(), spec.columnNames(), null, null, 1,
                Map.of("validation.accuracy", 0.9)), network.toBytes());
        KafkaTopics.ensure(bootstrap, Map.of("models", 1), Set.of("models"), Duration.ofSeconds(30));
        ModelAnnouncements.announce(bootstrap, "models", store, v1);
        String profile = SecuredKafkaITCase.writeNeutralProfile(spec, dir).toUri().toString();

        JobClient serving = start(dir, "serving", ServingJobFromConfig::build, DEPLOY.resolve("serving.properties"),
                "bootstrap.servers=" + bootstrap, "profile=" + profile, "model.store=" + storeRoot, "scoring.max-batch-delay=10ms");
        // Without model.name the same file starts a features-only serving job: every event's feature vector, unscored.
        JobClient featuresOnly = start(dir, "serving-features", ServingJobFromConfig::build, DEPLOY.resolve("serving.properties"),
                "bootstrap.servers=" + bootstrap, "profile=" + profile, "model.name=", "group.id=modes-features", "topics.features=features-only");
        List<JobClient> learning = new ArrayList<>();
        try {
            for (String mode : List.of("off", "stateful", "stateless", "online")) {
                learning.add(start(dir, "learning-" + mode, LearningJobFromConfig::build, DEPLOY.resolve("learning.properties"),
                        "bootstrap.servers=" + bootstrap, "profile=" + profile, "model.store=" + storeRoot, "retrain.mode=" + mode,
                        "group.id=modes-" + mode, "topics.drift=drift-" + mode, "learning.feedback-window=5s", "learning.evaluation-window=200",
                        "learning.evaluation-slide=100"));
            }
            var generator = new TransactionGenerator(7, 200, 0, 1_700_000_000_000L);
            List<TransactionGenerator.Generated> events = new ArrayList<>();
            // ~30 s of event time: the join's event time (5 s out of order) passes the 5 s feedback windows of most of them
            for (int i = 0; i < 3000; i++) {
                events.add(generator.next());
            }
            TestProducer.write(bootstrap, "events", events);
            LearningStreams.write(bootstrap, "labels", events.stream().map(g -> new LearningStreams.Keyed(-1, g.eventId().getBytes(StandardCharsets.UTF_8),
                    ("{\"eventId\":\"" + g.eventId() + "\",\"label\":" + g.fraudLabel() + ",\"timestamp\":" + (g.timestamp() + 1000) + "}")
                            .getBytes(StandardCharsets.UTF_8))).toList());
            for (String mode : List.of("off", "stateful", "stateless", "online")) {
                Await.result(Duration.ofMinutes(3), Duration.ofSeconds(1), () -> {
                    long accuracy = CommittedRecords.readAll(bootstrap, "drift-" + mode, Duration.ofSeconds(30)).stream()
                            .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains("\"statistic\":\"accuracy\"")).count();
                    return accuracy > 0 ? Optional.of(accuracy) : Optional.empty();
                }, () -> "no accuracy report from the learning job in retrain mode " + mode);
            }
            Await.result(Duration.ofMinutes(3), Duration.ofSeconds(1), () -> {
                int vectors = CommittedRecords.readAll(bootstrap, "features-only", Duration.ofSeconds(30)).size();
                return vectors >= events.size() ? Optional.of(vectors) : Optional.empty();
            }, () -> "the features-only serving job did not write a feature vector for each of the " + events.size() + " events");
            for (JobClient job : learning) {
                assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            }
            assertThat(serving.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            for (JobClient job : learning) {
                Await.cancelled(job);
            }
            Await.cancelled(serving);
            Await.cancelled(featuresOnly);
        }
    }

    @FunctionalInterface
    private interface JobMain {
        void build(JobConfig config, StreamExecutionEnvironment env) throws Exception;
    }

    /** Builds the job as its main would from {@code --config shipped -Dkey=value ...} and submits it. */
    private static JobClient start(Path dir, String name, JobMain main, Path shipped, String... dynamic) throws Exception {
        List<String> args = new ArrayList<>(List.of("--config", shipped.toString()));
        for (String setting : dynamic) {
            args.add("-D" + setting);
        }
        var env = StreamExecutionEnvironment.getExecutionEnvironment(
                LocalEnvironments.streamingConfiguration(1, dir.resolve("checkpoints-" + name), Duration.ofMillis(500)));
        main.build(JobConfig.fromArgs(args.toArray(String[]::new), env.getConfiguration()), env);
        return env.executeAsync(name);
    }
}
