package io.loopline.it;

import java.time.Duration;

/**
 * Waits on an observable condition with a deadline: the one polling loop of the integration tests,
 * so none of them sleeps and hopes. A check that throws counts as "not yet" (a server still starting).
 */
final class Await {
    /** A condition that may fail while the system under test is still coming up. */
    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    private static final Duration POLL = Duration.ofMillis(100);

    private Await() {}

    /** True once {@code check} holds; false if it did not within {@code timeout}. */
    static boolean within(Duration timeout, Check check) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (check.holds()) {
                    return true;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                // not yet observable
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(POLL.toMillis()); // the poll interval between two looks at the condition
        }
    }

    /** Returns once {@code check} holds; fails with {@code what} (evaluated then) after {@code timeout}. */
    static void until(Duration timeout, Check check, java.util.function.Supplier<String> what) throws InterruptedException {
        if (!within(timeout, check)) {
            throw new AssertionError(what.get() + " (waited " + timeout + ")");
        }
    }
}
