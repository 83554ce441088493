package io.jiomap.fuse;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs an action on SIGINT and SIGTERM instead of ending the JVM, so a foreground mount can unmount cleanly and its
 * command return normally (inside Felix, a JVM shutdown would stop the device bundles under the live mount). Where
 * the JDK's signal API is not reachable the action runs from a shutdown hook instead.
 */
public final class Termination implements AutoCloseable {
    private final List<Runnable> restore = new ArrayList<>();

    private Termination() {
    }

    /** Calls {@code action} (on a thread of its own) at each SIGINT or SIGTERM until closed. */
    public static Termination onSignal(Runnable action) {
        Termination t = new Termination();
        try {
            for (String name : List.of("INT", "TERM")) {
                sun.misc.Signal signal = new sun.misc.Signal(name);
                sun.misc.SignalHandler previous = sun.misc.Signal.handle(signal, s -> action.run());
                t.restore.add(() -> sun.misc.Signal.handle(signal, previous));
            }
        } catch (LinkageError | IllegalArgumentException e) {
            Thread hook = new Thread(action, "jiomap-mount-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            t.restore.add(() -> {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running or has run.
                }
            });
        }
        return t;
    }

    @Override
    public void close() {
        restore.forEach(Runnable::run);
        restore.clear();
    }
}
