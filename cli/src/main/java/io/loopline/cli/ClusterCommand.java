package io.loopline.cli;

import io.loopline.cluster.JobSubmitter;
import io.loopline.cluster.LocalFlinkCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.GlobalConfiguration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description = "A real standalone Flink 2.2 session cluster on 127.0.0.1: a JobManager and a TaskManager as their own JVMs, from the"
                + " Maven-resolved Flink jars, configured by deploy/flink-conf/config.yaml. It keeps running after this command returns.",
        subcommands = {ClusterCommand.Start.class, ClusterCommand.Stop.class, ClusterCommand.Status.class, ClusterCommand.StopJob.class},
        sortOptions = false)
final class ClusterCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Where {
        @Option(names = "--conf-dir", defaultValue = "${sys:loopline.home:-.}/deploy/flink-conf", description = "Flink config dir (default: ${DEFAULT-VALUE}).")
        Path confDir;

        @Option(names = "--work-dir", defaultValue = ".loopline/cluster", description = "Logs and pids (default: ${DEFAULT-VALUE}).")
        Path workDir;

        LocalFlinkCluster cluster() throws java.io.IOException {
            Path lib = Path.of(System.getProperty("loopline.lib", "cli/target/lib"));
            return new LocalFlinkCluster(confDir, workDir, LocalFlinkCluster.launcherClasspath(lib));
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Starts the JobManager and a TaskManager and waits until the TaskManager registered.")
    static final class Start implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Where where;

        @Option(names = "--timeout", defaultValue = "90s", description = "(default: ${DEFAULT-VALUE})")
        Duration timeout;

        @Override
        public Integer call() throws Exception {
            LocalFlinkCluster cluster = where.cluster();
            long start = System.nanoTime();
            cluster.start(timeout);
            System.out.printf("Flink cluster up in %.1f s: REST %s, logs in %s. Stop it with `loopline cluster stop`.%n",
                    (System.nanoTime() - start) / 1e9, cluster.restUrl(), where.workDir.toAbsolutePath());
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stops the processes `cluster start` launched.")
    static final class Stop implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Where where;

        @Override
        public Integer call() throws Exception {
            where.cluster().stop();
            System.out.println("Flink cluster stopped.");
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Whether the cluster answers, and its TaskManagers.")
    static final class Status implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Where where;

        @Override
        public Integer call() throws Exception {
            LocalFlinkCluster cluster = where.cluster();
            int taskManagers = cluster.registeredTaskManagers();
            System.out.println(taskManagers < 0 ? "No Flink cluster answers at " + cluster.restUrl()
                    : "Flink cluster at " + cluster.restUrl() + " with " + taskManagers + " TaskManager(s)");
            return taskManagers < 0 ? 1 : 0;
        }
    }

    @Command(name = "stop-job", mixinStandardHelpOptions = true, description = "Stops a job with a savepoint (what `flink stop --savepointPath` does) and prints its path.")
    static final class StopJob implements Callable<Integer> {
        @Option(names = "--job-id", required = true, description = "The job's id.")
        String jobId;

        @Option(names = "--savepoint-dir", required = true, description = "Where the savepoint goes (any Flink FileSystem path).")
        String savepointDir;

        @Option(names = "--jobmanager", defaultValue = "127.0.0.1:8081", description = "REST address (default: ${DEFAULT-VALUE}).")
        String jobManager;

        @Option(names = "--conf-dir", defaultValue = "${sys:loopline.home:-.}/deploy/flink-conf", description = "(default: ${DEFAULT-VALUE})")
        Path confDir;

        @Override
        public Integer call() throws Exception {
            String[] hostPort = SubmitCommand.hostAndPort(jobManager);
            var submitter = new JobSubmitter(GlobalConfiguration.loadConfiguration(confDir.toString()), hostPort[0], Integer.parseInt(hostPort[1]));
            System.out.println(submitter.stopWithSavepoint(JobID.fromHexString(jobId), savepointDir));
            return 0;
        }
    }
}
