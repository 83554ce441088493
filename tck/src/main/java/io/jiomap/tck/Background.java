package io.jiomap.tck;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Work a contract test runs on a thread of its own because it may block, or must block, and awaits with a bound:
 * if the engine deadlocks, the await fails the test instead of hanging the build. The thread is a daemon, so a
 * thread left stuck by a regression does not keep the JVM alive.
 *
 * @param <T> the result
 */
public final class Background<T> {
    private final String name;
    private final FutureTask<T> task;
    private final Thread thread;

    Background(String name, Callable<T> body) {
        this.name = name;
        this.task = new FutureTask<>(body);
        this.thread = new Thread(task, "tck-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    public String name() {
        return name;
    }

    public Thread thread() {
        return thread;
    }

    public boolean isDone() {
        return task.isDone();
    }

    /** Whether the thread is parked or waiting for a monitor: blocked on a lock, a drain, a bio. */
    public boolean isBlocked() {
        Thread.State s = thread.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED;
    }

    /**
     * Whether the thread is parked directly in {@code className.method}: the innermost jiomap frame of its stack is
     * that method (a wait inside a filesystem's lock below it would show another frame first).
     */
    public boolean isParkedIn(String className, String method) {
        Thread.State s = thread.getState();
        if (s != Thread.State.WAITING && s != Thread.State.TIMED_WAITING) {
            return false;
        }
        for (StackTraceElement f : thread.getStackTrace()) {
            if (f.getClassName().startsWith("io.jiomap.")) {
                return f.getClassName().equals(className) && f.getMethodName().equals(method);
            }
        }
        return false;
    }

    /**
     * Waits (bounded by {@link TckSession#TIMEOUT}) for the work to finish and returns its result; an exception it
     * threw fails the test with that exception as the cause.
     */
    public T await() {
        Waits.await("'" + name + "' to finish (a hang here is a deadlock in the engine)").until(task::isDone);
        try {
            return task.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Error err) {
                throw err;
            }
            throw new AssertionError("'" + name + "' failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for '" + name + "'", e);
        }
    }
}
