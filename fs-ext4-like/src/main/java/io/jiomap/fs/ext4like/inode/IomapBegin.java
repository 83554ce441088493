package io.jiomap.fs.ext4like.inode;

import io.jiomap.api.Errno;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapIter;
import io.jiomap.api.iomap.IomapOps;
import io.jiomap.api.iomap.IomapType;
import io.jiomap.fs.ext4like.disk.Extent;
import io.jiomap.fs.ext4like.meta.ExtentTree;
import io.jiomap.fs.ext4like.meta.FsError;
import io.jiomap.fs.ext4like.meta.Journal;
import java.util.List;

/**
 * The iomap ops of one inode (the kernel's {@code ext4_iomap_begin} for direct I/O, docs/filesystems.md, "ext4-like
 * direct-write mappings"): written blocks inside EOF are MAPPED; a hole or unwritten range inside EOF is allocated or
 * kept UNWRITTEN (+NEW when allocated) and converted by end_io in a transaction; at or past EOF blocks are allocated
 * initialized (MAPPED+NEW), hidden by i_size and the orphan list until end_io raises the size; DIRTY when the
 * inode's datasync transaction is not committed or the mapping crosses EOF.
 */
final class IomapBegin implements IomapOps {
    private final Ext4Inode in;

    IomapBegin(Ext4Inode in) {
        this.in = in;
    }

    @Override
    public int begin(IomapIter iter) {
        try {
            return map(iter.pos(), iter.length(), iter.flags(), iter.iomap());
        } catch (FsError e) {
            return -e.errno();
        }
    }

    private int map(long pos, long length, int flags, Iomap iomap) {
        int bs = in.bs;
        long lblk = pos / bs;
        long lastBlk = (pos + length - 1) / bs;
        boolean write = (flags & WRITE) != 0;
        boolean nowait = (flags & NOWAIT) != 0;
        Journal j = in.journal();
        j.metaLock().lock();
        try {
            ExtentTree.Found e = in.tree.findFrom(lblk, in.found) ? in.found : null;
            long size = in.size;
            if (e != null && e.logical() <= lblk && (!e.unwritten() || !write || lblk * (long) bs < size)) {
                long end = Math.min(e.end(), lastBlk + 1);
                long off = lblk * bs;
                long len = end * bs - off;
                // ext4_set_iomap: DIRTY when the datasync transaction is uncommitted or the mapping crosses EOF.
                int dirty = write && (in.datasyncDirty() || off + len > size) ? Iomap.F_DIRTY : 0;
                // Unwritten inside EOF stays unwritten: end_io converts it with the credits its write reserved.
                iomap.set(off, len, e.physicalAt(lblk) * bs, e.unwritten() ? IomapType.UNWRITTEN : IomapType.MAPPED,
                        dirty);
                return 0;
            }
            if (!write) {
                long holeEnd = e == null ? Long.MAX_VALUE / bs : e.logical();
                long end = Math.min(holeEnd, lastBlk + 1);
                iomap.set(lblk * (long) bs, end * bs - lblk * (long) bs, Iomap.NULL_ADDRESS, IomapType.HOLE, 0);
                return 0;
            }
            if (nowait || (flags & OVERWRITE_ONLY) != 0) {
                return -Errno.EAGAIN;
            }
        } finally {
            j.metaLock().unlock();
        }
        return allocateForWrite(lblk, lastBlk, iomap);
    }

    private int allocateForWrite(long lblk, long lastBlk, Iomap iomap) {
        int bs = in.bs;
        // Past EOF the blocks are initialized (hidden by i_size and the orphan list); inside EOF unwritten.
        long eofBlock = (in.size + bs - 1) / bs;
        boolean inside = lblk < eofBlock;
        int credits = in.editCredits();
        Journal j = in.journal();
        for (int attempt = 0; ; attempt++) {
            try (Journal.Handle h = j.start(credits)) {
                Extent cur = in.tree.findFrom(lblk);
                if (cur != null && cur.logical() <= lblk && cur.unwritten()) {
                    // Preallocated past EOF: written blocks now, as ext4's CREATE converts them, zeroed around.
                    long n = Math.min(cur.end(), lastBlk + 1) - lblk;
                    in.mapLocked(lblk, n, List.of(new Extent(lblk, (int) n, cur.physicalAt(lblk), false)));
                    in.persistLocked(true);
                    iomap.set(lblk * bs, n * bs, cur.physicalAt(lblk) * bs, IomapType.MAPPED,
                            Iomap.F_NEW | Iomap.F_DIRTY);
                    return 0;
                }
                Extent next = in.tree.findFrom(lblk);
                long holeEnd = next == null ? Long.MAX_VALUE : next.logical();
                long want = Math.min(holeEnd, lastBlk + 1);
                if (inside) {
                    want = Math.min(want, eofBlock);
                }
                Extent e = in.allocateLocked(lblk, (int) Math.min(want - lblk, Extent.MAX_INIT), inside);
                in.persistLocked(true);
                long off = lblk * bs;
                long len = e.length() * (long) bs;
                iomap.set(off, len, e.physical() * bs, inside ? IomapType.UNWRITTEN : IomapType.MAPPED,
                        Iomap.F_NEW | Iomap.F_DIRTY);
                return 0;
            } catch (FsError err) {
                if (err.errno() == Errno.ENOSPC && attempt == 0 && in.vol.allocator().busyBlocks() > 0) {
                    // Blocks freed by the running transaction become free once it commits (ext4_should_retry_alloc).
                    int r = j.commit();
                    if (r >= 0) {
                        continue;
                    }
                }
                return -err.errno();
            }
        }
    }
}
