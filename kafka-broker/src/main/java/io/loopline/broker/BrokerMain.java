package io.loopline.broker;

import java.io.IOException;
import java.io.InputStream;

/**
 * Starts a Kafka broker ({@code kafka.Kafka}) that dies with its parent.
 *
 * <p>The parent (LocalKafka) keeps this process's stdin open and never writes to it. When the
 * parent exits for any reason, SIGKILL included, stdin reaches end-of-file and the broker shuts
 * down: a local broker is never left behind. After a clean-shutdown grace period the JVM halts.
 */
public final class BrokerMain {
    private static final long SHUTDOWN_GRACE_MILLIS = 20_000;

    private BrokerMain() {}

    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(() -> waitForParentThenExit(System.in), "loopline-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        kafka.Kafka.main(args);
    }

    private static void waitForParentThenExit(InputStream parentPipe) {
        try {
            byte[] buffer = new byte[64];
            while (parentPipe.read(buffer) >= 0) {
                // The parent never writes; anything read is ignored.
            }
        } catch (IOException pipeBroken) {
            // Same meaning as end-of-file: the parent is gone.
        }
        System.err.println("loopline: parent process gone, stopping the Kafka broker");
        Thread halter = new Thread(() -> {
            try {
                Thread.sleep(SHUTDOWN_GRACE_MILLIS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(1);
        }, "loopline-shutdown-deadline");
        halter.setDaemon(true);
        halter.start();
        System.exit(0);
    }
}
