package io.loopline.jobs.config;

import io.loopline.kafka.KafkaConnection;
import io.loopline.kafka.KafkaTopics;
import io.loopline.operators.config.InvalidOptionException;
import io.loopline.operators.config.OptionReader;
import io.loopline.operators.features.spec.FeatureSpec;
import io.loopline.operators.scoring.ModelStoreSupplier;
import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.profile.ReferenceProfile;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;

/**
 * What every job does with its {@link JobConfig} before it builds a graph: reach Kafka, create the
 * topics, load the spec, the profile and the model store, each failure naming the key to fix.
 */
public final class JobStartup {
    private JobStartup() {}

    /** The option's value, at least 1; the bound is {@link OptionReader}'s, the error names the job config's source. */
    public static int positive(JobConfig config, ConfigOption<Integer> option) {
        try {
            return new OptionReader(config).atLeast(option, 1);
        } catch (InvalidOptionException e) {
            throw config.error(e.key(), e.problem());
        }
    }

    public static KafkaConnection connection(JobConfig config, String bootstrap, Map<String, String> clientSettings) {
        try {
            return new KafkaConnection(bootstrap, clientSettings);
        } catch (IllegalArgumentException e) {
            String key = clientSettings.keySet().stream().filter(k -> e.getMessage().contains("'" + k + "'")).findFirst()
                    .map(k -> KafkaOptions.CLIENT_PREFIX + k).orElse(KafkaOptions.BOOTSTRAP_SERVERS.key());
            throw config.error(key, e.getMessage());
        }
    }

    /** Creates missing topics; the first contact with Kafka, so an unreachable or refusing cluster fails here, at start-up. */
    public static void ensureTopics(JobConfig config, KafkaConnection kafka, Map<String, Integer> topics, Set<String> compacted, Duration timeout) {
        try {
            KafkaTopics.ensure(kafka, topics, compacted, timeout);
        } catch (IllegalStateException e) {
            throw config.error(KafkaOptions.BOOTSTRAP_SERVERS.key(), "Kafka at " + kafka + " did not answer or refused within " + timeout
                    + " (startup.timeout): " + rootCause(e) + ". Check bootstrap.servers, the kafka.* client settings"
                    + " (security.protocol, sasl.*, ssl.*), and that this principal may describe and create the topics " + topics.keySet());
        }
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? " (no answer)" : ": " + t.getMessage());
    }

    public static FeatureSpec spec(JobConfig config, String nameOrPath) {
        try {
            return SpecLoader.load(nameOrPath);
        } catch (RuntimeException e) {
            throw config.error(ServingOptions.SPEC.key(), e.getMessage().replace("--spec: ", ""));
        }
    }

    public static ReferenceProfile profile(JobConfig config, String path) {
        try {
            return ReferenceProfile.read(new org.apache.flink.core.fs.Path(path));
        } catch (java.io.IOException | RuntimeException e) {
            throw config.error(ServingOptions.PROFILE.key(), "cannot read " + path + " (" + e.getMessage() + "); run `loopline backfill` first, or point"
                    + " profile at its out/profile.json");
        }
    }

    /** The store's file system must be reachable from here: a wrong scheme or a missing bucket fails at start-up, not at the first model. */
    public static ModelStoreSupplier storeAt(JobConfig config, String root) {
        try {
            var path = new org.apache.flink.core.fs.Path(root);
            var fs = path.getFileSystem();
            if (fs.exists(path) && !fs.getFileStatus(path).isDir()) {
                throw new java.io.IOException(root + " is a file, not a folder");
            }
            new FileSystemModelStore(path).names();
        } catch (java.io.IOException | RuntimeException e) {
            throw config.error(ServingOptions.MODEL_STORE.key(), "cannot use " + root + " as the model store (" + e.getMessage() + "); give a folder on a"
                    + " file system every TaskManager can read: file:///shared/models, s3://bucket/models, hdfs://...");
        }
        return () -> new FileSystemModelStore(new org.apache.flink.core.fs.Path(root));
    }
}
