package io.loopline.cluster;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;

/**
 * What {@code flink run}, {@code flink stop --savepointPath} and {@code flink list} do, against any
 * Flink 2.2 cluster's REST address: the job jar's main method runs here to build the job graph, which
 * is submitted with the jar.
 */
public final class JobSubmitter {
    private final Configuration conf;

    public JobSubmitter(Configuration clusterConf, String host, int port) {
        this.conf = clusterConf.clone();
        conf.set(RestOptions.ADDRESS, host);
        conf.set(RestOptions.PORT, port);
        // The job's main runs in this JVM, whose own classpath has the Kafka connector (Flink's classes load parent-first):
        // Kafka's client classes must come from the same loader as the connector, not from the job jar.
        List<String> parentFirst = new java.util.ArrayList<>(conf.get(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL));
        parentFirst.add("org.apache.kafka.");
        conf.set(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL, parentFirst);
    }

    /** Submits the jar's {@code mainClass} with its arguments, optionally restored from a savepoint; returns the job id. */
    public JobID submit(File jar, String mainClass, List<String> args, String savepoint, int parallelism) throws Exception {
        SavepointRestoreSettings restore = savepoint == null ? SavepointRestoreSettings.none() : SavepointRestoreSettings.forPath(savepoint, false);
        PackagedProgram program = PackagedProgram.newBuilder().setJarFile(jar).setEntryPointClassName(mainClass)
                .setArguments(args.toArray(String[]::new)).setConfiguration(conf).setSavepointRestoreSettings(restore).build();
        try {
            JobGraph graph = PackagedProgramUtils.createJobGraph(program, conf, parallelism, false);
            graph.setSavepointRestoreSettings(restore);
            try (var client = new RestClusterClient<>(conf, StandaloneClusterId.getInstance())) {
                return client.submitJob(graph).get(5, TimeUnit.MINUTES);
            }
        } finally {
            program.close();
        }
    }

    /**
     * Runs the jar's {@code mainClass} as an attached {@code flink run} does: every job its main
     * executes is submitted to the cluster and awaited before the main goes on, so a driver of several
     * jobs (the backfill's two passes, which collect their statistics back) works; returns when the main returns.
     */
    public void run(File jar, String mainClass, List<String> args, int parallelism) throws Exception {
        Configuration runConf = conf.clone();
        runConf.set(org.apache.flink.configuration.DeploymentOptions.TARGET, "remote");
        runConf.set(org.apache.flink.configuration.DeploymentOptions.ATTACHED, true);
        if (parallelism > 0) {
            runConf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        }
        // Shipped with every job the main submits, as `flink run` does: the cluster loads the job's classes from it.
        runConf.set(org.apache.flink.configuration.PipelineOptions.JARS, List.of(jar.toURI().toURL().toString()));
        PackagedProgram program = PackagedProgram.newBuilder().setJarFile(jar).setEntryPointClassName(mainClass)
                .setArguments(args.toArray(String[]::new)).setConfiguration(runConf).build();
        try {
            org.apache.flink.client.ClientUtils.executeProgram(new org.apache.flink.core.execution.DefaultExecutorServiceLoader(), runConf, program,
                    false, false);
        } finally {
            program.close();
        }
    }

    /** Stops the job with a savepoint in {@code directory} (no drain: event time does not jump); returns the savepoint's path. */
    public String stopWithSavepoint(JobID job, String directory) throws Exception {
        try (var client = new RestClusterClient<>(conf, StandaloneClusterId.getInstance())) {
            return client.stopWithSavepoint(job, false, directory, SavepointFormatType.CANONICAL).get(5, TimeUnit.MINUTES);
        }
    }

    public JobStatus status(JobID job) throws Exception {
        try (var client = new RestClusterClient<>(conf, StandaloneClusterId.getInstance())) {
            return client.getJobStatus(job).get(1, TimeUnit.MINUTES);
        }
    }

    public void cancel(JobID job) throws Exception {
        try (var client = new RestClusterClient<>(conf, StandaloneClusterId.getInstance())) {
            client.cancel(job).get(1, TimeUnit.MINUTES);
        }
    }
}
