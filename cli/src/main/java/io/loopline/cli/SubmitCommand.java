package io.loopline.cli;

import io.loopline.cluster.JobSubmitter;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.GlobalConfiguration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "submit",
        mixinStandardHelpOptions = true,
        description = {
            "Submits a job from the job jar to a Flink 2.2 cluster (`loopline cluster start` or any other), as `flink run -d` does:"
                    + " the job's main runs here to build its graph, which goes to the cluster's REST API with the jar.",
            "Example: loopline submit --class io.loopline.jobs.ServingJob -- --config deploy/jobs/serving.properties"
        },
        sortOptions = false)
final class SubmitCommand implements Callable<Integer> {
    @Option(names = "--jar", defaultValue = "${sys:loopline.home:-.}/jobs/target/loopline-jobs-job.jar", description = "The job jar (default: ${DEFAULT-VALUE}).")
    File jar;

    @Option(names = "--class", required = true, description = "io.loopline.jobs.ServingJob, io.loopline.jobs.learning.LearningJob, or"
            + " io.loopline.jobs.backfill.BackfillJob (two BATCH jobs run one after the other; the command waits for both).")
    String mainClass;

    @Option(names = "--jobmanager", defaultValue = "127.0.0.1:8081", description = "REST address host:port (default: ${DEFAULT-VALUE}).")
    String jobManager;

    @Option(names = "--from-savepoint", description = "Restore from this savepoint (an upgrade or a rescale).")
    String savepoint;

    /** -1 leaves the parallelism to the cluster's parallelism.default. */
    static final org.apache.flink.configuration.Configuration DEFAULTS = new org.apache.flink.configuration.Configuration()
            .set(org.apache.flink.configuration.CoreOptions.DEFAULT_PARALLELISM, -1);

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    @Option(names = "--conf-dir", defaultValue = "${sys:loopline.home:-.}/deploy/flink-conf", description = "Client settings (default: ${DEFAULT-VALUE}).")
    Path confDir;

    @Parameters(description = "Arguments for the job's main, e.g. --config deploy/jobs/serving.properties")
    List<String> args = new ArrayList<>();

    /** Mains that drive their jobs and wait for them (the backfill's two passes, training's result), as an attached `flink run` does. */
    private static final java.util.Set<String> DRIVERS = java.util.Set.of("io.loopline.jobs.backfill.BackfillJob", "io.loopline.jobs.training.TrainingJob");

    static String[] hostAndPort(String address) {
        String[] parts = address.split(":");
        if (parts.length != 2) {
            throw new IllegalArgumentException("--jobmanager must be host:port, got '" + address + "'");
        }
        return parts;
    }

    @Override
    public Integer call() throws Exception {
        if (!jar.isFile()) {
            throw new IllegalArgumentException("--jar: " + jar + " is not a file (mvn package builds jobs/target/loopline-jobs-job.jar)");
        }
        String[] hostPort = hostAndPort(jobManager);
        var submitter = new JobSubmitter(GlobalConfiguration.loadConfiguration(confDir.toString()), hostPort[0], Integer.parseInt(hostPort[1]));
        int parallelism = ConfigFlags.read(commandSpec, ConfigFlags.SUBMIT, DEFAULTS).get(org.apache.flink.configuration.CoreOptions.DEFAULT_PARALLELISM);
        long start = System.nanoTime();
        if (DRIVERS.contains(mainClass)) {
            // A driver, not one streaming job: its main runs here and submits its jobs, waiting for each.
            if (savepoint != null) {
                throw new IllegalArgumentException("--from-savepoint: " + mainClass + " starts from its input files, not from a savepoint");
            }
            submitter.run(jar, mainClass, args, parallelism);
            System.out.printf("%s finished on the cluster in %.1f s%n", mainClass.substring(mainClass.lastIndexOf('.') + 1),
                    (System.nanoTime() - start) / 1e9);
            return 0;
        }
        JobID id = submitter.submit(jar, mainClass, args, savepoint, parallelism);
        System.out.printf("Submitted %s as job %s in %.1f s%s%n", mainClass, id, (System.nanoTime() - start) / 1e9,
                savepoint == null ? "" : " (restored from " + savepoint + ")");
        return 0;
    }
}
