package io.jiomap.fs.ext4like.inode;

import io.jiomap.api.iomap.DioOps;
import io.jiomap.api.iomap.IomapIter;
import io.jiomap.fs.ext4like.disk.Extent;
import io.jiomap.fs.ext4like.meta.FsError;
import io.jiomap.fs.ext4like.meta.Journal;
import java.util.ArrayList;
import java.util.List;

/**
 * The end_io of a direct write (the kernel's {@code ext4_dio_write_end_io}): converts the unwritten extents the
 * write went to, raises i_size and takes the inode off the orphan list, in a transaction paid for by the write's
 * {@link Reservation}, which it finds in the request's private slot. It needs only the metadata lock, never the
 * inode lock, so it can run in a caller, a workqueue or a waiter while someone holds the inode lock and drains
 * (docs/design-rules.md, "Rule 1").
 */
final class WriteEndIo implements DioOps {
    private final Ext4Inode in;

    WriteEndIo(Ext4Inode in) {
        this.in = in;
    }

    /** {@code iter}'s private slot holds the write's {@link Reservation}, or null for a pure overwrite. */
    @Override
    public long endIo(IomapIter iter, long written, int error, int flags) {
        long pos = iter.iocb().position();
        Reservation reserved = (Reservation) iter.fsPrivate();
        int reservedCredits = reserved != null ? reserved.takeOver() : 0;
        int bs = in.bs;
        Journal j = in.journal();
        boolean convert = (flags & UNWRITTEN) != 0;
        if (error != 0 || written == 0 || (!convert && pos + written <= in.size)) {
            // Nothing to record: a failure keeps the blocks unwritten (reads give zeros), and a pure overwrite
            // (the common, caller-completed case) stays lock-free.
            if (reserved != null) {
                reserved.release(in);
            }
            return error != 0 ? -error : 0;
        }
        try {
            List<Extent> pieces;
            j.metaLock().lock();
            try {
                pieces = convert ? unwrittenInLocked(pos / bs, (pos + written + bs - 1) / bs) : List.of();
            } finally {
                j.metaLock().unlock();
            }
            // The first step uses what the write reserved before its I/O; further pieces (a write across several
            // unwritten extents) overdraw, committing to make room but never waiting for other writes' credits.
            try (Journal.Handle h = reserved != null ? j.adopt(reservedCredits)
                    : j.startOverdraft(Reservation.credits(in))) {
                if (!pieces.isEmpty()) {
                    Extent c = pieces.getFirst();
                    in.mapReservedLocked(c.logical(), c.length(), List.of(c));
                }
                if (pos + written > in.size) {
                    in.size = pos + written;
                    in.vol.orphans().removeLocked(in);
                }
                in.persistLocked(true);
            }
            for (Extent c : pieces.subList(Math.min(1, pieces.size()), pieces.size())) {
                try (Journal.Handle h = j.startOverdraft(in.editCredits() + 2)) {
                    in.mapReservedLocked(c.logical(), c.length(), List.of(c));
                    in.persistLocked(true);
                }
            }
            return 0;
        } catch (FsError e) {
            return -e.errno();
        } finally {
            if (reserved != null) {
                reserved.releaseNodes(in);
            }
        }
    }

    /** The unwritten pieces of [from, to), as written extents to replace them with. */
    private List<Extent> unwrittenInLocked(long from, long to) {
        List<Extent> conv = new ArrayList<>();
        for (Extent e : in.tree.overlapping(from, to)) {
            if (e.unwritten()) {
                long s = Math.max(from, e.logical());
                long n = Math.min(to, e.end()) - s;
                conv.add(new Extent(s, (int) n, e.physicalAt(s), false));
            }
        }
        return conv;
    }
}
