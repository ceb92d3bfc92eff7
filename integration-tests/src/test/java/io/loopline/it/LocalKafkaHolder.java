package io.loopline.it;

import io.loopline.local.LocalKafka;

/** A separate JVM that starts a local broker, reports its pid and waits to be killed. */
public final class LocalKafkaHolder {
    private LocalKafkaHolder() {}

    public static void main(String[] args) throws Exception {
        LocalKafka kafka = LocalKafka.start();
        System.out.println("BROKER_PID " + kafka.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
