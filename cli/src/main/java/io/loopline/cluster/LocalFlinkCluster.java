package io.loopline.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A real standalone Flink session cluster on this machine: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and a TaskManager ({@code TaskManagerRunner}), each
 * its own JVM, started from the Maven-resolved Flink jars (flink-dist is not on Maven Central) with
 * the given config dir ({@code deploy/flink-conf}). JVM memory flags and the derived memory settings
 * are computed from config.yaml exactly as Flink's start scripts do (BashJavaUtils), and the JVM
 * options come from its {@code env.java.opts.all}. The processes are not tied to this JVM: {@link
 * #stop} (or {@code loopline cluster stop}) ends them, by the pids written to the work dir.
 */
public final class LocalFlinkCluster {
    private static final String JOB_MANAGER = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    private final Path confDir;
    private final Path workDir;
    private final String classpath;
    private final Configuration conf;
    private long taskManagerPid;

    /**
     * @param classpath the Flink runtime jars (and anything the cluster provides: connectors in
     *     flink-dist, RocksDB, the Prometheus reporter, logging)
     */
    public LocalFlinkCluster(Path confDir, Path workDir, String classpath) {
        this.confDir = confDir.toAbsolutePath();
        this.workDir = workDir.toAbsolutePath();
        this.classpath = classpath;
        this.conf = GlobalConfiguration.loadConfiguration(this.confDir.toString());
    }

    /**
     * The loopline launcher's lib folder as a Flink distribution's lib: without Loopline's own jars
     * and without the Kafka connector and clients, which (as on a stock cluster) come with the job
     * jar. DL4J/ND4J stay, as an operator would add them to lib/ (see classloader.parent-first-patterns).
     */
    public static String launcherClasspath(Path lib) throws IOException {
        try (var files = Files.list(lib)) {
            return String.join(java.io.File.pathSeparator, files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                    .filter(f -> !f.getFileName().toString().startsWith("loopline-"))
                    .filter(f -> !f.getFileName().toString().startsWith("flink-connector-kafka"))
                    .filter(f -> !f.getFileName().toString().startsWith("kafka-clients"))
                    .map(Path::toString).sorted().toList());
        }
    }

    public String restUrl() {
        return "http://" + conf.get(RestOptions.ADDRESS, "127.0.0.1") + ":" + conf.get(RestOptions.PORT);
    }

    public Configuration configuration() {
        return conf.clone();
    }

    public void start(Duration timeout) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        if (isUp()) {
            throw new IllegalStateException("a Flink cluster already answers at " + restUrl() + " (stop it first: loopline cluster stop)");
        }
        JobManagerProcessSpec jm = JobManagerProcessUtils.processSpecFromConfig(conf);
        List<String> jmJvm = split(JobManagerProcessUtils.generateJvmParametersStr(jm, conf));
        List<String> jmArgs = new ArrayList<>(List.of("--configDir", confDir.toString()));
        jmArgs.addAll(split(JobManagerProcessUtils.generateDynamicConfigsStr(jm)));
        long jmPid = launch("jobmanager", JOB_MANAGER, jmJvm, jmArgs);

        long tmPid = launchTaskManager();
        Files.writeString(workDir.resolve("pids"), jmPid + "\n" + tmPid + "\n");
        taskManagerPid = tmPid;

        long deadline = System.nanoTime() + timeout.toNanos();
        while (registeredTaskManagers() < 1) {
            if (System.nanoTime() > deadline) {
                stop();
                throw new IllegalStateException("the local Flink cluster did not come up within " + timeout + "; see the logs in " + workDir);
            }
            for (long pid : List.of(jmPid, taskManagerPid)) {
                if (ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
                    stop();
                    throw new IllegalStateException("a Flink process (pid " + pid + ") exited during start; see the logs in " + workDir);
                }
            }
            Thread.sleep(250); // polling the REST API until the TaskManager registered
        }
    }

    private long launchTaskManager() throws IOException {
        TaskExecutorProcessSpec tm = TaskExecutorProcessUtils.processSpecFromConfig(conf);
        List<String> tmJvm = split(ProcessMemoryUtils.generateJvmParametersStr(tm));
        List<String> tmArgs = new ArrayList<>(List.of("--configDir", confDir.toString()));
        tmArgs.addAll(split(TaskExecutorProcessUtils.generateDynamicConfigsStr(tm)));
        return launch("taskmanager", TASK_MANAGER, tmJvm, tmArgs);
    }

    /**
     * Fault injection: kills the TaskManager process (SIGKILL, no clean shutdown), starts a new one
     * and waits until it registered. Running jobs fail over from their last checkpoint.
     */
    public void killAndReplaceTaskManager(Duration timeout) throws IOException, InterruptedException {
        java.util.Set<String> before = taskManagerIds();
        ProcessHandle.of(taskManagerPid).ifPresent(p -> {
            p.destroyForcibly();
            try {
                p.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("TaskManager pid " + taskManagerPid + " did not exit", e);
            }
        });
        taskManagerPid = launchTaskManager();
        Files.writeString(workDir.resolve("pids"), taskManagerPid + "\n", java.nio.file.StandardOpenOption.APPEND);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (before.containsAll(taskManagerIds())) {
            if (!ProcessHandle.of(taskManagerPid).map(ProcessHandle::isAlive).orElse(false)) {
                throw new IllegalStateException("the new TaskManager exited during start; see " + workDir.resolve("taskmanager.log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the new TaskManager did not register within " + timeout);
            }
            Thread.sleep(250); // polling the REST API
        }
    }

    private long launch(String name, String mainClass, List<String> memoryFlags, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(split(conf.get(CoreOptions.FLINK_JVM_OPTIONS)));
        command.addAll(memoryFlags);
        Path log = workDir.resolve(name + ".log");
        command.add("-Dlog.file=" + log);
        command.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        command.addAll(List.of("-cp", classpath, mainClass));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve(name + ".out").toFile()));
        builder.environment().putIfAbsent("OMP_NUM_THREADS", "1");
        return builder.start().pid();
    }

    /** Ends the processes recorded in the work dir (TaskManager first), waiting for them to exit. */
    public void stop() throws IOException {
        Path pids = workDir.resolve("pids");
        if (!Files.exists(pids)) {
            return;
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(pids));
        java.util.Collections.reverse(lines);
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(line.trim()));
            process.ifPresent(p -> {
                p.destroy();
                try {
                    p.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            });
        }
        Files.delete(pids);
    }

    /** Resource ids of the TaskManagers the JobManager lists. */
    private java.util.Set<String> taskManagerIds() {
        java.util.Set<String> ids = new java.util.HashSet<>();
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(restUrl() + "/taskmanagers"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
            while (m.find()) {
                ids.add(m.group(1));
            }
        } catch (IOException e) {
            // not answering: no ids
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ids;
    }

    public boolean isUp() {
        return registeredTaskManagers() >= 0;
    }

    /** TaskManagers the JobManager knows; -1 when it does not answer. */
    public int registeredTaskManagers() {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(restUrl() + "/overview"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return -1;
            }
            Matcher m = Pattern.compile("\"taskmanagers\"\\s*:\\s*(\\d+)").matcher(r.body());
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static List<String> split(String flags) {
        return flags == null || flags.isBlank() ? List.of() : Arrays.stream(flags.trim().split("\\s+")).toList();
    }
}
