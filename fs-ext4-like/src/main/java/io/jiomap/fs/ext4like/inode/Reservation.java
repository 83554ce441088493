package io.jiomap.fs.ext4like.inode;

import io.jiomap.api.Errno;
import io.jiomap.fs.ext4like.meta.Allocator;
import io.jiomap.fs.ext4like.meta.FsError;
import io.jiomap.fs.ext4like.meta.Journal;

/**
 * What a write sets aside before its I/O for its end_io (docs/design-rules.md, "Rule 5"): journal credits for
 * end_io's first transaction (conversion, size, orphan removal) and extent-tree blocks, since the tree may split at
 * every level when end_io converts part of an unwritten extent. The allocator's half is ext4's reserved clusters
 * (mballoc), the journal's half jbd2's reserved handle.
 *
 * <p>It travels in the request's private slot ({@link io.jiomap.api.iomap.IomapIter#fsPrivate()}): the write path
 * passes it to the engine, end_io {@linkplain #takeOver() takes it over} and gives it back, and the write path gives
 * back one that no end_io took once the request is over.
 */
final class Reservation {
    private final int credits;
    private final int nodes;
    /** Set by end_io; read by the write path only once the request is over (the engine orders the two). */
    private volatile boolean takenOver;

    private Reservation(int credits, int nodes) {
        this.credits = credits;
        this.nodes = nodes;
    }

    /** Credits of end_io's first transaction: the extent edit, the orphan removal, the inode and superblock. */
    static int credits(Ext4Inode in) {
        return in.editCredits() + OrphanList.CREDITS + 2;
    }

    /**
     * Sets aside end_io's credits and tree blocks for a write to {@code in}.
     *
     * @throws FsError EAGAIN when {@code nowait} and the journal is full, ENOSPC when the tree blocks are not there
     */
    static Reservation take(Ext4Inode in, boolean nowait) {
        Journal j = in.journal();
        int credits = credits(in);
        if (!j.reserve(credits, nowait)) {
            throw new FsError(Errno.EAGAIN, "no journal credits free for the end_io of a write to inode " + in.ino());
        }
        Allocator a = in.vol.allocator();
        int nodes;
        boolean got;
        j.metaLock().lock();
        try {
            nodes = in.tree.worstCaseNewNodes();
            got = a.reserveNodesLocked(nodes);
        } finally {
            j.metaLock().unlock();
        }
        if (!got) {
            j.release(credits);
            throw new FsError(Errno.ENOSPC, "no room for the extent-tree blocks end_io may need, inode " + in.ino());
        }
        return new Reservation(credits, nodes);
    }

    /** End_io takes the reservation over: from now on it gives it back, not the write path. */
    int takeOver() {
        takenOver = true;
        return credits;
    }

    /** Gives back the credits and the tree blocks, for an end_io that had nothing to record. */
    void release(Ext4Inode in) {
        in.journal().release(credits);
        releaseNodes(in);
    }

    /** Gives back the tree blocks once end_io is done with them (used or not). */
    void releaseNodes(Ext4Inode in) {
        in.vol.allocator().releaseNodes(nodes);
    }

    /** Once the request is over: gives back everything if no end_io took it over (the write never started). */
    void releaseIfNotTakenOver(Ext4Inode in) {
        if (!takenOver) {
            release(in);
        }
    }
}
