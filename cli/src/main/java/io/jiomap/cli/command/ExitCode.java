package io.jiomap.cli.command;

/**
 * The exit codes of every jiomap command: 0 success; {@link #FAILURE} a failure while running (an I/O error, a failed
 * verify, a plugin that refused its options); {@link #USAGE} a usage error (unknown option, bad value, a spec that
 * cannot be parsed), picocli's and getopt's convention.
 */
public final class ExitCode {
    /** A failure while running. */
    public static final int FAILURE = 1;
    /** A usage error. */
    public static final int USAGE = 2;

    private ExitCode() {
    }
}
