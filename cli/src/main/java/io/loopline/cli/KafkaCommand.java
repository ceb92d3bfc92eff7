package io.loopline.cli;

import io.loopline.local.LocalKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "kafka",
        mixinStandardHelpOptions = true,
        description = "Runs a local single-node Kafka broker (KRaft) as a child process on 127.0.0.1 until Ctrl-C, "
                + "and prints its bootstrap address.",
        sortOptions = false)
final class KafkaCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "0",
            description = "Broker port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir",
            description = "Keep the broker's data here (default: a temporary folder deleted on exit).")
    Path dataDir;

    @Option(names = "--start-timeout", defaultValue = "90s",
            description = "How long to wait for the broker to answer (default: ${DEFAULT-VALUE}).")
    Duration startTimeout;

    @Override
    public Integer call() throws Exception {
        var settings = new LocalKafka.Settings(null, port, 0, dataDir, startTimeout, "512m", null);
        try (LocalKafka kafka = LocalKafka.start(settings)) {
            System.out.println("Kafka broker running (pid " + kafka.pid() + ")");
            System.out.println("bootstrap.servers=" + kafka.bootstrapServers());
            System.out.println("Press Ctrl-C to stop it.");
            System.out.flush();
            int exit = kafka.waitFor();
            System.out.println("Kafka broker exited with code " + exit);
            return exit == 0 ? 0 : 1;
        }
    }
}
