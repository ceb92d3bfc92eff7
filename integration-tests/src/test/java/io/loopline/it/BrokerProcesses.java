package io.loopline.it;

import java.time.Duration;
import java.util.List;

/** Finds broker processes started by this JVM, to prove none is left behind. */
final class BrokerProcesses {
    private BrokerProcesses() {}

    static List<ProcessHandle> descendantsRunningKafka() {
        return ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(BrokerProcesses::isKafka).orElse(false))
                .toList();
    }

    static boolean isKafka(String commandLine) {
        return commandLine.contains("io.loopline.broker.BrokerMain") || commandLine.contains("kafka.tools.StorageTool");
    }

    /** Waits until the process is gone; true if it went within the timeout. */
    static boolean awaitExit(long pid, Duration timeout) throws InterruptedException {
        return Await.within(timeout, () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    }
}
