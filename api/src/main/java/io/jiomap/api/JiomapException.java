package io.jiomap.api;

import java.io.IOException;

/**
 * An I/O failure with its errno. The message always starts with the symbolic errno ({@code "EINVAL: ..."}), so a
 * person reading it knows the class of failure and the rest says what was wrong.
 */
public class JiomapException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public JiomapException(int errno, String message) {
        super(Errno.name(errno) + ": " + message);
        this.errno = Math.abs(errno);
    }

    public JiomapException(int errno, String message, Throwable cause) {
        super(Errno.name(errno) + ": " + message, cause);
        this.errno = Math.abs(errno);
    }

    /** The positive errno value, e.g. {@link Errno#EINVAL}. */
    public int errno() {
        return errno;
    }
}
