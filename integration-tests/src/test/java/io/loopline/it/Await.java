package io.loopline.it;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Waits on an observable condition with a deadline: the one polling loop of the integration tests,
 * so none of them sleeps and hopes. An assertion failing inside a look fails the test at once.
 */
final class Await {
    /** A condition that may fail while the system under test is still coming up. */
    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    /** One look at the system under test: its result once there is one, else empty. */
    @FunctionalInterface
    interface Attempt<T> {
        Optional<T> result() throws Exception;
    }

    /** What the test saw when its deadline passed, read then (it may read the system once more). */
    @FunctionalInterface
    interface Diagnosis {
        String describe() throws Exception;
    }

    private static final Duration POLL = Duration.ofMillis(100);

    private Await() {}

    /** True once {@code check} holds; false if it did not within {@code timeout}. A check that throws counts as "not yet". */
    static boolean within(Duration timeout, Check check) throws InterruptedException {
        return within(timeout, POLL, check);
    }

    /** Like {@link #within(Duration, Check)}, looking every {@code interval}. */
    static boolean within(Duration timeout, Duration interval, Check check) throws InterruptedException {
        try {
            return poll(timeout, interval, () -> holdsYet(check) ? Optional.of(Boolean.TRUE) : Optional.empty(), () -> "").isPresent();
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("unreachable: holdsYet throws no checked exception but interruption", e);
        }
    }

    /** Returns once {@code check} holds; fails with {@code what} (evaluated then) after {@code timeout}. */
    static void until(Duration timeout, Check check, Supplier<String> what) throws InterruptedException {
        if (!within(timeout, check)) {
            throw new AssertionError(what.get() + " (waited " + timeout + ")");
        }
    }

    /**
     * Cancels {@code job} and returns once it has stopped. The cancel request alone is acknowledged
     * while tasks still run (and write checkpoint files into the test's temporary folder, whose
     * removal then fails); a job that is not stopped after a minute fails the test.
     */
    static void cancelled(org.apache.flink.core.execution.JobClient job) throws Exception {
        try {
            job.cancel().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            // Already finished or failed: then it is stopped too, which is checked below.
        }
        until(Duration.ofMinutes(1), () -> job.getJobStatus().get(10, java.util.concurrent.TimeUnit.SECONDS).isGloballyTerminalState(),
                () -> "job " + job.getJobID() + " still running after its cancellation");
    }

    /**
     * The first result of {@code attempt}, looked for every {@code interval} (a look that reads a whole
     * topic is costly, so tests choose it); fails with {@code why} once {@code timeout} passes. Exceptions
     * of a look propagate: the system is up, so a failing read is a failure.
     */
    static <T> T result(Duration timeout, Duration interval, Attempt<T> attempt, Diagnosis why) throws Exception {
        Optional<T> result = poll(timeout, interval, attempt, () -> "");
        if (result.isEmpty()) {
            throw new AssertionError(why.describe() + " (waited " + timeout + ")");
        }
        return result.get();
    }

    /**
     * Like {@link #result}, but the deadline counts from the last change of {@code progress}: a busy
     * machine is slow, not stuck, so a wait that moves forward is not cut short.
     */
    static <T> T resultWhileProgressing(Duration stall, Duration interval, Attempt<T> attempt, Supplier<?> progress, Diagnosis why)
            throws Exception {
        Optional<T> result = poll(stall, interval, attempt, progress);
        if (result.isEmpty()) {
            throw new AssertionError(why.describe() + " (no progress for " + stall + ")");
        }
        return result.get();
    }

    private static <T> Optional<T> poll(Duration stall, Duration interval, Attempt<T> attempt, Supplier<?> progress) throws Exception {
        long deadline = System.nanoTime() + stall.toNanos();
        Object seen = progress.get();
        while (true) {
            Optional<T> result = attempt.result();
            if (result.isPresent()) {
                return result;
            }
            Object now = progress.get();
            if (!now.equals(seen)) {
                seen = now;
                deadline = System.nanoTime() + stall.toNanos();
            }
            if (System.nanoTime() - deadline >= 0) {
                return Optional.empty();
            }
            Thread.sleep(interval.toMillis()); // the poll interval between two looks at the system
        }
    }

    private static boolean holdsYet(Check check) throws InterruptedException {
        try {
            return check.holds();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return false; // not yet observable
        }
    }
}
