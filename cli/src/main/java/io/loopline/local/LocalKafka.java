package io.loopline.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker + controller) running as a child JVM on
 * 127.0.0.1, on its own classpath ({@link BrokerClasspath}), with a fresh data directory.
 *
 * <p>{@link #start} formats the storage, launches the broker and returns once an AdminClient call
 * answers, or throws a {@link BrokerStartException} naming the cause with the tail of the broker's
 * log. {@link #close} stops it (SIGTERM, then SIGKILL after a grace period) and deletes the data
 * directory. A JVM shutdown hook closes it on Ctrl-C, and the child also exits by itself when this
 * JVM dies (see {@code BrokerMain}), so no broker is ever left behind.
 */
public final class LocalKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);
    private static final String HOST = "127.0.0.1";
    private static final int LOG_TAIL_LINES = 30;

    /** How to start the broker. Port 0 means: pick a free one. */
    public record Settings(
            Path libDir, int brokerPort, int controllerPort, Path dataDir, Duration startTimeout, String heap, String javaCommand,
            ScramUser scram) {

        public static Settings defaults() {
            return new Settings(null, 0, 0, null, Duration.ofSeconds(90), "512m", null, null);
        }

        public Settings(Path libDir, int brokerPort, int controllerPort, Path dataDir, Duration startTimeout, String heap, String javaCommand) {
            this(libDir, brokerPort, controllerPort, dataDir, startTimeout, heap, javaCommand, null);
        }

        /**
         * Clients must authenticate: the client listener speaks SASL_PLAINTEXT with SCRAM-SHA-256, and
         * {@code user} is the one account (created when the storage is formatted). The controller
         * listener stays on 127.0.0.1 without authentication.
         */
        public Settings withScram(ScramUser user) {
            return new Settings(libDir, brokerPort, controllerPort, dataDir, startTimeout, heap, javaCommand, user);
        }

        public Settings withBrokerPort(int port) {
            return new Settings(libDir, port, controllerPort, dataDir, startTimeout, heap, javaCommand, scram);
        }

        /** A data dir kept across runs: a broker started again on it (same ports) has the topics and offsets it had. */
        public Settings withDataDir(Path dir) {
            return new Settings(libDir, brokerPort, controllerPort, dir, startTimeout, heap, javaCommand, scram);
        }

        public Settings withControllerPort(int port) {
            return new Settings(libDir, brokerPort, port, dataDir, startTimeout, heap, javaCommand, scram);
        }

        public Settings withLibDir(Path dir) {
            return new Settings(dir, brokerPort, controllerPort, dataDir, startTimeout, heap, javaCommand, scram);
        }

        public Settings withStartTimeout(Duration timeout) {
            return new Settings(libDir, brokerPort, controllerPort, dataDir, timeout, heap, javaCommand, scram);
        }

        public Settings withJavaCommand(String command) {
            return new Settings(libDir, brokerPort, controllerPort, dataDir, startTimeout, heap, command, scram);
        }
    }

    /** A SCRAM account: the broker's only user when the local broker requires authentication. */
    public record ScramUser(String name, String password) {
        public ScramUser {
            if (!name.matches("[A-Za-z0-9_.-]+") || !password.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("SCRAM user and password: letters, digits, '_', '.', '-' only (they go into JAAS and tool arguments)");
            }
        }

        /** What a client needs to log in as this user. */
        public Map<String, String> clientProperties() {
            return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", MECHANISM,
                    "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + name
                            + "\" password=\"" + password + "\";");
        }
    }

    private static final String MECHANISM = "SCRAM-SHA-256";

    private final Process process;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private final Path logFile;
    private final String bootstrapServers;
    private final ScramUser scram;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private LocalKafka(Process process, Path dataDir, boolean ownsDataDir, Path logFile, String bootstrapServers, ScramUser scram) {
        this.scram = scram;
        this.process = process;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.logFile = logFile;
        this.bootstrapServers = bootstrapServers;
        this.shutdownHook = new Thread(this::stopProcessAndCleanUp, "loopline-local-kafka-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static LocalKafka start() {
        return start(Settings.defaults());
    }

    public static LocalKafka start(Settings settings) {
        Path libDir = settings.libDir() != null
                ? BrokerClasspath.validate(settings.libDir().toAbsolutePath()).orElseThrow(() -> new BrokerStartException(
                        "Kafka broker jars not found in " + settings.libDir().toAbsolutePath()
                                + ": expected kafka_2.13-*.jar and loopline-kafka-broker.jar (run `mvn -B -DskipTests package`)"))
                : BrokerClasspath.locate();
        String java = settings.javaCommand() != null ? settings.javaCommand() : currentJava();
        int brokerPort = settings.brokerPort() > 0 ? settings.brokerPort() : freePort();
        int controllerPort = settings.controllerPort() > 0 ? settings.controllerPort() : freePort(brokerPort);
        boolean ownsDataDir = settings.dataDir() == null;
        Path dataDir;
        try {
            dataDir = ownsDataDir ? Files.createTempDirectory("loopline-kafka-") : Files.createDirectories(settings.dataDir());
        } catch (IOException e) {
            throw new BrokerStartException("cannot create the broker's data directory: " + e, e);
        }
        Path logFile = dataDir.resolve("broker.log");
        try {
            Path config = writeConfig(dataDir, brokerPort, controllerPort, settings.scram());
            Path log4j = writeLog4jConfig(dataDir, logFile);
            String classpath = libDir.resolve("*").toString();
            format(java, classpath, log4j, config, dataDir, logFile, settings.startTimeout(), settings.scram());
            Process process = launch(java, classpath, log4j, config, settings.heap(), logFile);
            LocalKafka kafka = new LocalKafka(process, dataDir, ownsDataDir, logFile, HOST + ":" + brokerPort, settings.scram());
            try {
                kafka.awaitReady(settings.startTimeout(), brokerPort);
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
            LOG.info("Local Kafka broker ready at {} (pid {}, data {})", kafka.bootstrapServers, process.pid(), dataDir);
            return kafka;
        } catch (RuntimeException e) {
            if (ownsDataDir) {
                deleteRecursively(dataDir); // the exception already carries the log's tail
            }
            throw e;
        }
    }

    /** host:port of the broker, for {@code bootstrap.servers}. */
    /** How a client reaches this broker: with the SCRAM login when it requires one. */
    public io.loopline.kafka.KafkaConnection connection() {
        return new io.loopline.kafka.KafkaConnection(bootstrapServers, scram == null ? Map.of() : scram.clientProperties());
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    /** Blocks until the broker process ends (e.g. for {@code loopline kafka}). */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    @Override
    public void close() {
        stopProcessAndCleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook is running or has run; nothing left to do.
        }
    }

    private synchronized void stopProcessAndCleanUp() {
        if (closed) {
            return;
        }
        closed = true;
        stopProcess(process, Duration.ofSeconds(15));
        if (ownsDataDir) {
            deleteRecursively(dataDir);
        }
    }

    private void awaitReady(Duration timeout, int brokerPort) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Properties props = connection().properties();
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        Throwable lastError = null;
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw failure("the broker process exited with code " + process.exitValue()
                            + " before it was ready" + portHint(brokerPort), null);
                }
                try {
                    if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    lastError = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw failure("interrupted while waiting for the broker", e);
                }
            }
        }
        throw failure("the broker did not answer an AdminClient call on " + bootstrapServers + " within "
                + timeout.toSeconds() + " s" + (lastError == null ? "" : " (last error: " + lastError.getMessage() + ")"), lastError);
    }

    private BrokerStartException failure(String what, Throwable cause) {
        return new BrokerStartException(
                "Local Kafka broker failed to start: " + what + ".\n--- last lines of " + logFile + " ---\n" + tail(logFile), cause);
    }

    private String portHint(int brokerPort) {
        String log = tail(logFile);
        if (log.contains("Address already in use") || log.contains("BindException")) {
            return " (a listener port is already in use: broker port " + brokerPort + ")";
        }
        return "";
    }

    private static void format(String java, String classpath, Path log4j, Path config, Path dataDir, Path logFile, Duration timeout,
            ScramUser scram) {
        if (Files.exists(dataDir.resolve("data").resolve("meta.properties"))) {
            return; // a broker started again on its own data: formatted already, keeps its cluster id
        }
        String clusterId = randomClusterId();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx256m", "-Dlog4j2.configurationFile=" + log4j.toUri(),
                "-cp", classpath, "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString()));
        if (scram != null) {
            command.addAll(List.of("--add-scram", MECHANISM + "=[name=" + scram.name() + ",password=" + scram.password() + "]"));
        }
        Process format;
        try {
            format = new ProcessBuilder(command)
                    .directory(dataDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new BrokerStartException("cannot run java at '" + java + "' to format the broker storage: " + e.getMessage(), e);
        }
        try {
            if (!format.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stopProcess(format, Duration.ofSeconds(2));
                throw new BrokerStartException("formatting the broker storage timed out\n" + tail(logFile));
            }
        } catch (InterruptedException e) {
            stopProcess(format, Duration.ofSeconds(2));
            Thread.currentThread().interrupt();
            throw new BrokerStartException("interrupted while formatting the broker storage", e);
        }
        if (format.exitValue() != 0) {
            throw new BrokerStartException("formatting the broker storage failed (exit " + format.exitValue()
                    + ").\n--- last lines of " + logFile + " ---\n" + tail(logFile));
        }
    }

    private static Process launch(String java, String classpath, Path log4j, Path config, String heap, Path logFile) {
        List<String> command = new ArrayList<>(List.of(java, "-Xms" + heap, "-Xmx" + heap, "-XX:+UseG1GC",
                "-Djava.awt.headless=true", "-Dlog4j2.configurationFile=" + log4j.toUri(),
                "-cp", classpath, "io.loopline.broker.BrokerMain", config.toString()));
        try {
            // stdin stays a pipe that this JVM holds open: BrokerMain exits when it closes.
            return new ProcessBuilder(command)
                    .directory(config.getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new BrokerStartException("cannot run java at '" + java + "' to start the broker: " + e.getMessage(), e);
        }
    }

    private static Path writeConfig(Path dataDir, int brokerPort, int controllerPort, ScramUser scram) {
        String client = scram == null ? "PLAINTEXT" : "SASL_PLAINTEXT";
        String security = scram == null ? "" : String.join("\n",
                "sasl.enabled.mechanisms=" + MECHANISM,
                "sasl.mechanism.inter.broker.protocol=" + MECHANISM,
                "listener.name.sasl_plaintext." + MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config="
                        + scram.clientProperties().get("sasl.jaas.config"),
                "");
        String config = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + HOST + ":" + controllerPort,
                "listeners=" + client + "://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort,
                "advertised.listeners=" + client + "://" + HOST + ":" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=" + client,
                "listener.security.protocol.map=" + client + ":" + client + ",CONTROLLER:PLAINTEXT",
                security.strip(),
                "log.dirs=" + dataDir.resolve("data"),
                "num.partitions=2",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "log.flush.interval.messages=9223372036854775807",
                "num.network.threads=2",
                "num.io.threads=2",
                "");
        Path file = dataDir.resolve("server.properties");
        try {
            Files.writeString(file, config, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static Path writeLog4jConfig(Path dataDir, Path logFile) {
        String config = String.join("\n",
                "status = warn",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = " + logFile.toString().replace("\\", "/"),
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = info",
                "rootLogger.appenderRef.file.ref = file",
                "logger.state.name = state.change.logger",
                "logger.state.level = warn",
                "");
        Path file = dataDir.resolve("log4j2.properties");
        try {
            Files.writeString(file, config, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static void stopProcess(Process process, Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Kafka broker (pid {}) did not stop within {} s; killing it", process.pid(), grace.toSeconds());
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static String tail(Path file) {
        if (!Files.isRegularFile(file)) {
            return "(no log written)";
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(cannot read the log: " + e.getMessage() + ")";
        }
    }

    private static String currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort(int... avoid) {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                socket.setReuseAddress(true);
                int port = socket.getLocalPort();
                if (avoid.length == 0 || port != avoid[0]) {
                    return port;
                }
            } catch (IOException e) {
                throw new BrokerStartException("cannot find a free port on " + HOST + ": " + e.getMessage(), e);
            }
        }
        throw new BrokerStartException("cannot find a free port on " + HOST);
    }

    /**
     * Kafka's cluster id format: 16 random bytes, URL-safe base64 without padding. Like Kafka's own
     * Uuid.randomUuid, never one that starts with '-': the storage tool would read it as an option.
     */
    static String randomClusterId() {
        while (true) {
            UUID uuid = UUID.randomUUID();
            ByteBuffer bytes = ByteBuffer.allocate(16);
            bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // Best effort: a temp dir that cannot be deleted is not worth failing for.
                }
            });
        } catch (IOException ignored) {
            // Best effort, as above.
        }
    }
}
