package io.jiomap.fuse;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.core.OpenFile;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Open files and directories by the handle number ({@code fh}) the kernel quotes in every request on them. A fixed
 * table: looking a handle up on the I/O path is one array read, with no allocation.
 */
final class HandleTable {
    /** An open file ({@code file} set) or directory ({@code entries} set: the listing taken at OPENDIR). */
    record Handle(NodeTable.Node node, OpenFile file, boolean direct, List<DirEntry> entries) {
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

    synchronized void remove(long fh) {
        if (fh > 0 && fh < CAPACITY && handles.getAndSet((int) fh, null) != null) {
            free[freeCount++] = (int) fh;
        }
    }
}
