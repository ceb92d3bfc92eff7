package io.loopline.cli;

import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.model.ModelStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.core.fs.Path;
import picocli.CommandLine.Command;
import io.loopline.jobs.config.KafkaOptions;
import io.loopline.jobs.config.ServingOptions;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        description = "Lists, shows, promotes and rolls back the versions in a model store (any Flink FileSystem path). The champion"
                + " is the latest version; promote and rollback publish an earlier version's artifact again as the next version.",
        subcommands = {ModelsCommand.ListVersions.class, ModelsCommand.Show.class, ModelsCommand.Promote.class, ModelsCommand.Rollback.class,
                ModelsCommand.Shadow.class, ModelsCommand.Canary.class, ModelsCommand.EndTrial.class},
        sortOptions = false)
final class ModelsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "One line per model version: name, version, parent, created, rows, metrics.")
    static final class ListVersions implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;


        @Override
        public Integer call() throws Exception {
            Configuration conf = ConfigFlags.read(spec, ConfigFlags.MODELS_LIST, new Configuration());
            String store = conf.get(ServingOptions.MODEL_STORE);
            String name = conf.get(ServingOptions.MODEL_NAME);
            var out = spec.commandLine().getOut();
            ModelStore models = new FileSystemModelStore(new Path(store));
            List<String> names = name != null ? List.of(name) : models.names();
            out.printf(Locale.ROOT, "%-20s %8s %8s  %-24s %10s  %s%n", "name", "version", "parent", "created", "rows", "metrics");
            for (String model : names) {
                for (ModelMetadata m : models.versions(model)) {
                    out.printf(Locale.ROOT, "%-20s %8d %8s  %-24s %,10d  %s%n", m.name(), m.version(),
                            m.parent() == null ? "-" : m.parent().toString(), m.createdAt(), m.trainingRows(), new java.util.TreeMap<>(m.metrics()));
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Prints a version's metadata (JSON); the latest unless --version is given.")
    static final class Show implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", description = "Model name.")
        String name;

        @Option(names = "--version", description = "Version number (default: the latest).")
        Long version;

        @Override
        public Integer call() throws Exception {
            Configuration conf = ConfigFlags.read(spec, ConfigFlags.MODELS_READ, new Configuration());
            String store = conf.get(ServingOptions.MODEL_STORE);
            var out = spec.commandLine().getOut();
            ModelStore models = new FileSystemModelStore(new Path(store));
            var metadata = version == null ? models.latest(name) : models.get(name, version);
            if (metadata.isEmpty()) {
                spec.commandLine().getErr().println("loopline: no " + (version == null ? "version" : "version " + version) + " of model '" + name + "' in " + store);
                return 1;
            }
            out.println(new String(metadata.get().toJson(), StandardCharsets.UTF_8));
            out.println("artifact: " + models.artifactUri(metadata.get()));
            out.flush();
            return 0;
        }
    }

    /** Publishes an earlier version as champion and announces it, so serving swaps to it. */
    static ModelMetadata makeChampion(ModelStore models, ModelMetadata source, Map<String, Double> marks, io.loopline.kafka.KafkaConnection bootstrap,
            String topic)
            throws java.io.IOException {
        ModelMetadata champion = io.loopline.operators.retraining.Champions.republish(models, source, marks);
        if (bootstrap != null) {
            io.loopline.kafka.ModelAnnouncements.announce(bootstrap, topic, models, champion);
        }
        return champion;
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Makes a version the champion: its artifact is published again as the next version (parent: that version) and,"
                    + " with --bootstrap-servers, announced on the models topic.")
    static final class Promote implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", description = "Model name.")
        String name;

        @Option(names = "--version", required = true, description = "The version to serve.")
        long version;

        @picocli.CommandLine.Mixin
        KafkaClientOptions kafkaOptions = new KafkaClientOptions();

        @Override
        public Integer call() throws Exception {
            Configuration conf = ConfigFlags.read(spec, ConfigFlags.MODELS_ANNOUNCE, new Configuration());
            String store = conf.get(ServingOptions.MODEL_STORE);
            String bootstrapServers = conf.get(KafkaOptions.BOOTSTRAP_SERVERS);
            String modelsTopic = conf.get(KafkaOptions.MODELS);
            ModelStore models = new FileSystemModelStore(new Path(store));
            var source = models.get(name, version);
            if (source.isEmpty()) {
                spec.commandLine().getErr().println("loopline: no version " + version + " of model '" + name + "' in " + store);
                return 1;
            }
            var latest = models.latest(name).orElseThrow();
            if (latest.sha256().equals(source.get().sha256())) {
                // The latest version may be on trial rather than serving: announcing it as champion is harmless if it serves already.
                if (bootstrapServers != null) {
                    io.loopline.kafka.ModelAnnouncements.announce(kafkaOptions.connection(bootstrapServers), modelsTopic, models, latest);
                }
                spec.commandLine().getOut().printf("%s v%d has v%d's weights and is the latest version%s%n", name, latest.version(), version,
                        bootstrapServers == null ? ": nothing to do" : "; announced as champion on " + modelsTopic);
                return 0;
            }
            ModelMetadata champion = makeChampion(models, source.get(), Map.of("promoted.from", (double) version),
                    bootstrapServers == null ? null : kafkaOptions.connection(bootstrapServers), modelsTopic);
            spec.commandLine().getOut().printf("%s v%d is now champion with v%d's weights%s%n", name, champion.version(), version,
                    bootstrapServers == null ? " (not announced: no --bootstrap-servers)" : ", announced on " + modelsTopic);
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Returns to the previous champion (the latest earlier version with other weights, or --to): published again as the"
                    + " next version with rollback.of = the replaced version and, with --bootstrap-servers, announced.")
    static final class Rollback implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", description = "Model name.")
        String name;

        @Option(names = "--to", description = "The version to return to (default: the previous champion).")
        Long to;

        @picocli.CommandLine.Mixin
        KafkaClientOptions kafkaOptions = new KafkaClientOptions();

        @Override
        public Integer call() throws Exception {
            Configuration conf = ConfigFlags.read(spec, ConfigFlags.MODELS_ANNOUNCE, new Configuration());
            String store = conf.get(ServingOptions.MODEL_STORE);
            String bootstrapServers = conf.get(KafkaOptions.BOOTSTRAP_SERVERS);
            String modelsTopic = conf.get(KafkaOptions.MODELS);
            ModelStore models = new FileSystemModelStore(new Path(store));
            var current = models.latest(name);
            if (current.isEmpty()) {
                spec.commandLine().getErr().println("loopline: model '" + name + "' has no versions in " + store);
                return 1;
            }
            var target = to != null ? models.get(name, to) : io.loopline.operators.retraining.Champions.previous(models, name);
            if (target.isEmpty()) {
                spec.commandLine().getErr().println("loopline: " + (to != null ? "no version " + to + " of '" + name + "'"
                        : "no earlier version of '" + name + "' with other weights than v" + current.get().version()) + " to roll back to");
                return 1;
            }
            ModelMetadata champion = makeChampion(models, target.get(), Map.of("rollback.of", (double) current.get().version()),
                    bootstrapServers == null ? null : kafkaOptions.connection(bootstrapServers),
                    modelsTopic);
            spec.commandLine().getOut().printf("Rolled %s back from v%d to v%d's weights, serving as v%d%s%n", name, current.get().version(),
                    target.get().version(), champion.version(), bootstrapServers == null ? " (not announced: no --bootstrap-servers)" : "");
            return 0;
        }
    }

    /** Shared by the trial commands: which version, which Kafka. */
    abstract static class TrialCommand implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", description = "Model name.")
        String name;

        @Option(names = "--version", required = true, description = "The version on trial (published in the store).")
        long version;

        @picocli.CommandLine.Mixin
        KafkaClientOptions kafkaOptions = new KafkaClientOptions();

        abstract io.loopline.state.records.ModelAnnouncement.Role role();

        double canaryShare() {
            return 0;
        }

        @Override
        public Integer call() throws Exception {
            Configuration conf = ConfigFlags.read(spec, ConfigFlags.MODELS_TRIAL, new Configuration());
            String store = conf.get(ServingOptions.MODEL_STORE);
            String bootstrapServers = conf.get(KafkaOptions.BOOTSTRAP_SERVERS);
            String modelsTopic = conf.get(KafkaOptions.MODELS);
            ModelStore models = new FileSystemModelStore(new Path(store));
            var metadata = models.get(name, version);
            if (metadata.isEmpty()) {
                spec.commandLine().getErr().println("loopline: no version " + version + " of model '" + name + "' in " + store);
                return 1;
            }
            io.loopline.kafka.ModelAnnouncements.announce(kafkaOptions.connection(bootstrapServers), modelsTopic, models, metadata.get(), role(),
                    canaryShare());
            spec.commandLine().getOut().printf(Locale.ROOT, "%s v%d announced as %s%s on %s%n", name, version, role().wireName(),
                    role() == io.loopline.state.records.ModelAnnouncement.Role.CANARY ? String.format(Locale.ROOT, " for %.1f%% of the entities",
                            100 * canaryShare()) : "", modelsTopic);
            return 0;
        }
    }

    @Command(name = "shadow", mixinStandardHelpOptions = true,
            description = "Runs a version as a shadow beside the champion: every event is also scored by it, its scores go to the shadow-log"
                    + " topic and are evaluated against the labels by the learning job (subject shadow, loopline_shadow_* metrics); nothing"
                    + " it scores is served. Replaces any running trial; ends when a champion at or above its version is announced"
                    + " (models promote) or with models end-trial.")
    static final class Shadow extends TrialCommand {
        @Override
        io.loopline.state.records.ModelAnnouncement.Role role() {
            return io.loopline.state.records.ModelAnnouncement.Role.SHADOW;
        }
    }

    @Command(name = "canary", mixinStandardHelpOptions = true,
            description = "Serves a version to a share of the entities (by key hash: sticky, the same entities on every subtask and after a"
                    + " restart); their predictions name the canary's version, so the learning job evaluates it per version. Replaces any"
                    + " running trial; ends like a shadow.")
    static final class Canary extends TrialCommand {
        @Option(names = "--share", required = true, description = "Share of the entities it serves, in (0, 1], e.g. 0.05.")
        double share;

        @Override
        io.loopline.state.records.ModelAnnouncement.Role role() {
            return io.loopline.state.records.ModelAnnouncement.Role.CANARY;
        }

        @Override
        double canaryShare() {
            return share;
        }

        @Override
        public Integer call() throws Exception {
            if (!(share > 0 && share <= 1)) {
                spec.commandLine().getErr().println("loopline: --share must be in (0, 1], got " + share);
                return 2;
            }
            return super.call();
        }
    }

    @Command(name = "end-trial", mixinStandardHelpOptions = true,
            description = "Ends the shadow or canary trial of a version: the champion serves every event again.")
    static final class EndTrial extends TrialCommand {
        @Override
        io.loopline.state.records.ModelAnnouncement.Role role() {
            return io.loopline.state.records.ModelAnnouncement.Role.END_TRIAL;
        }
    }
}
