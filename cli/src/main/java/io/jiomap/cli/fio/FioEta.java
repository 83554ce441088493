package io.jiomap.cli.fio;

import io.jiomap.cli.text.Progress;
import io.jiomap.cli.text.Units;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The status line ({@link FioStatus}) of a run while its jobs run, on the error stream, from a daemon thread of its own.
 * Live (on a terminal, or with {@code --eta=always}) the line is rewritten in place every {@code --eta-interval} and
 * kept as a line of its own every {@code --eta-newline}; piped, a plain line every {@code --eta-newline} (5s unless
 * given), so runs shorter than that print nothing; {@code --eta=never} prints nothing. {@link #close} stops the thread
 * and clears the line, waiting at most for the line being written.
 */
final class FioEta implements AutoCloseable {
    /** fio's {@code --eta}. */
    enum When { AUTO, ALWAYS, NEVER }

    /** fio's default: the status line is rewritten every second. */
    static final long DEFAULT_INTERVAL = TimeUnit.SECONDS.toNanos(1);
    /** fio's floor for --eta-interval, so that the line cannot flood the terminal. */
    static final long MIN_INTERVAL = TimeUnit.MILLISECONDS.toNanos(250);
    /** A plain line this often when piped, unless --eta-newline says otherwise. */
    static final long DEFAULT_PIPED_PERIOD = TimeUnit.SECONDS.toNanos(5);

    /**
     * @param when          {@code --eta}
     * @param intervalNanos {@code --eta-interval}: how often the live line is rewritten
     * @param newlineNanos  {@code --eta-newline}: how often a line is kept, 0 when not given
     */
    record Options(When when, long intervalNanos, long newlineNanos) {
        static final Options DEFAULT = new Options(When.AUTO, DEFAULT_INTERVAL, 0);

        /** From the run options {@code eta}, {@code eta-interval}, {@code eta-newline}. */
        static Options parse(Map<String, String> run) {
            String whenText = run.getOrDefault("eta", "auto");
            When when = switch (whenText.toLowerCase(Locale.ROOT)) {
                case "auto" -> When.AUTO;
                case "always" -> When.ALWAYS;
                case "never" -> When.NEVER;
                default -> throw new IllegalArgumentException("--eta=" + whenText
                        + ": expected always, never or auto");
            };
            long interval = DEFAULT_INTERVAL;
            if (run.containsKey("eta-interval")) {
                interval = duration("eta-interval", run.get("eta-interval"));
                if (interval < MIN_INTERVAL) {
                    throw new IllegalArgumentException("--eta-interval=" + run.get("eta-interval")
                            + ": at least 250ms, so that the status line does not flood the terminal");
                }
            }
            long newline = 0;
            if (run.containsKey("eta-newline")) {
                newline = duration("eta-newline", run.get("eta-newline"));
                if (newline <= 0) {
                    throw new IllegalArgumentException("--eta-newline=" + run.get("eta-newline")
                            + ": expected a period above zero, e.g. 10s");
                }
            }
            return new Options(when, interval, newline);
        }

        private static long duration(String option, String text) {
            try {
                return Units.parseDuration(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + option + "=" + text + ": " + e.getMessage(), e);
            }
        }
    }

    private final Progress progress;
    private final FioStatus status;
    private final boolean live;
    private final long tickNanos;
    private final long newlineNanos;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;

    private FioEta(Options options, boolean terminal, PrintWriter err, FioStatus status) {
        this.live = options.when() == When.ALWAYS || (options.when() == When.AUTO && terminal);
        this.progress = new Progress(err, live);
        this.status = status;
        long newline = options.newlineNanos();
        this.tickNanos = live ? options.intervalNanos() : newline > 0 ? newline : DEFAULT_PIPED_PERIOD;
        this.newlineNanos = live ? newline : 0;
        this.thread = options.when() == When.NEVER ? null
                : Thread.ofPlatform().daemon().name("jiomap-fio-eta").start(this::run);
    }

    /**
     * Starts showing {@code status}.
     *
     * @param terminal whether the error stream is a terminal (what {@code --eta=auto} follows)
     */
    static FioEta start(Options options, boolean terminal, PrintWriter err, FioStatus status) {
        return new FioEta(options, terminal, err, status);
    }

    private void run() {
        long lastKept = System.nanoTime();
        try {
            while (!stop.await(tickNanos, TimeUnit.NANOSECONDS)) {
                long now = System.nanoTime();
                String line = status.line(now);
                if (!live || (newlineNanos > 0 && now - lastKept >= newlineNanos)) {
                    progress.line(line, 0, 0);
                    lastKept = now;
                } else {
                    progress.status(line);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the line: on return the thread has ended and a live line is cleared. */
    @Override
    public void close() {
        if (thread == null) {
            return;
        }
        stop.countDown();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        progress.finish();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
