package io.jiomap.cli.text;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Progress of a long run on the error stream. On a terminal, one status line (what runs now, how far, the time left)
 * is rewritten in place under the lines that stay; piped or redirected, only the lines that stay are written, each
 * with the time left, so a log holds no carriage returns or escape codes.
 */
public final class Progress {
    private final PrintWriter err;
    private final boolean live;
    private final long startNanos = System.nanoTime();
    private boolean statusShown;

    public Progress(PrintWriter err, boolean live) {
        this.err = err;
        this.live = live;
    }

    /** Live when the error stream is a terminal. */
    public static Progress on(PrintWriter err) {
        return new Progress(err, errIsTerminal());
    }

    /**
     * Whether the process's standard error is a terminal: on Linux, what file descriptor 2 links to (a pty or tty);
     * where that cannot be read, whether the process has an interactive console.
     */
    public static boolean errIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            Console console = System.console();
            return console != null && console.isTerminal();
        }
    }

    /** A line that stays, followed by the time left when {@code total > 0}. */
    public void line(String text, double done, double total) {
        clearStatus();
        err.println(total > 0 ? text + "  " + left(done, total) : text);
        err.flush();
    }

    /** The status line, on a terminal only: what runs now and the time left. */
    public void status(String text, double done, double total) {
        if (live) {
            status(text + "  " + left(done, total));
        }
    }

    /** The status line, on a terminal only, as given. */
    public void status(String text) {
        if (!live) {
            return;
        }
        err.print("\r\033[K" + text);
        err.flush();
        statusShown = true;
    }

    /** Removes the status line (before the final report). */
    public void finish() {
        clearStatus();
        err.flush();
    }

    /** "elapsed 0:12, about 0:40 left" from the pace so far; "elapsed 0:00" before anything is done. */
    public String left(double done, double total) {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        String s = "elapsed " + clock(elapsed);
        if (done > 0 && total > done) {
            s += ", about " + clock(elapsed / done * (total - done)) + " left";
        }
        return s;
    }

    /** m:ss, or h:mm:ss from an hour. */
    public static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private void clearStatus() {
        if (statusShown) {
            err.print("\r\033[K");
            statusShown = false;
        }
    }
}
