package io.jiomap.fs.ext4like.meta;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;

/**
 * A failure deep inside a metadata operation (I/O error, no space, corrupt block), carried up to the entry point
 * that turns it into a negative errno or a {@link JiomapException}.
 */
public final class FsError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public FsError(int errno, String message) {
        super(Errno.name(errno) + ": " + message);
        this.errno = Math.abs(errno);
    }

    public int errno() {
        return errno;
    }

    public JiomapException toException() {
        return new JiomapException(errno, getMessage().substring(Errno.name(errno).length() + 2), this);
    }
}
