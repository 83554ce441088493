package io.jiomap.fuse;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.core.OpenFile;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Open files and directories by the handle number ({@code fh}) the kernel quotes in every request on them. A fixed
 * table: looking a handle up on the I/O path is one array read, with no allocation.
 */
final class HandleTable {
    /**
     * An open file ({@code file} and its inode's {@code sizeLock} set) or directory ({@code dir} set: where its
     * listing continues).
     */
    record Handle(long ino, OpenFile file, ReentrantLock sizeLock, boolean direct, DirCursor dir) {
    }

    static final int CAPACITY = 1 << 16;

    private final AtomicReferenceArray<Handle> handles = new AtomicReferenceArray<>(CAPACITY);
    private final int[] free = new int[CAPACITY];
    private int freeCount;

    HandleTable() {
        // Handle 0 is never given out, so a zeroed fh in a request is never mistaken for a live one.
        for (int i = CAPACITY - 1; i >= 1; i--) {
            free[freeCount++] = i;
        }
    }

    synchronized long add(Handle h) throws JiomapException {
        if (freeCount == 0) {
            throw new JiomapException(24, "too many open files on the mount (" + (CAPACITY - 1) + ")");
        }
        int fh = free[--freeCount];
        handles.set(fh, h);
        return fh;
    }

    Handle get(long fh) {
        return fh > 0 && fh < CAPACITY ? handles.get((int) fh) : null;
    }

    /** The handle, or EBADF. */
    Handle require(long fh) throws JiomapException {
        Handle h = get(fh);
        if (h == null) {
            throw new JiomapException(Errno.EBADF, "no open file with handle " + fh);
        }
        return h;
    }

    /** Forgets handle {@code fh}; returns what it was, or null if there was none. */
    synchronized Handle remove(long fh) {
        if (fh <= 0 || fh >= CAPACITY) {
            return null;
        }
        Handle h = handles.getAndSet((int) fh, null);
        if (h != null) {
            free[freeCount++] = (int) fh;
        }
        return h;
    }
}
