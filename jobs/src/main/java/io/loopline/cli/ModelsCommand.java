package io.loopline.cli;

import io.loopline.state.model.FileSystemModelStore;
import io.loopline.state.model.ModelMetadata;
import io.loopline.state.model.ModelStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.core.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        description = "Lists and shows the versions in a model store (any Flink FileSystem path).",
        subcommands = {ModelsCommand.ListVersions.class, ModelsCommand.Show.class},
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

        @Option(names = "--store", required = true, description = "Model store root, e.g. .loopline/models or s3://bucket/models.")
        String store;

        @Option(names = "--name", description = "Only this model.")
        String name;

        @Override
        public Integer call() throws Exception {
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

        @Option(names = "--store", required = true, description = "Model store root.")
        String store;

        @Parameters(index = "0", description = "Model name.")
        String name;

        @Option(names = "--version", description = "Version number (default: the latest).")
        Long version;

        @Override
        public Integer call() throws Exception {
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
}
