package io.jiomap.fs.xfslike.alloc;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.fs.xfslike.log.LogItem;
import io.jiomap.fs.xfslike.log.Transaction;
import io.jiomap.fs.xfslike.meta.Allocator;
import io.jiomap.fs.xfslike.meta.Extent;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.meta.Metadata;
import io.jiomap.fs.xfslike.meta.RefcountIndex;
import io.jiomap.fs.xfslike.mount.MountState;
import java.util.List;

/**
 * Taking and giving back device blocks inside transactions (the kernel's {@code xfs_alloc_vextent} and
 * {@code xfs_bmap_del_extent} as the filesystem uses them): the allocator's plan becomes TAKE items, freed blocks
 * become GIVE items or refcount decrements. A transaction never fails half-way, so everything that may need a log
 * force happens before its first item.
 */
public final class BlockAllocation {
    private final MountState mount;
    private final Metadata md;
    private final Allocator alloc;

    public BlockAllocation(MountState mount) {
        this.mount = mount;
        this.md = mount.metadata();
        this.alloc = mount.allocator();
    }

    /**
     * Checks that {@code count} blocks can be allocated and forces the log now if only busy blocks would do, so
     * the allocation inside the transaction never needs a force.
     */
    public void prepareLocked(long count, int agHint) throws JiomapException {
        if (count > md.freeBlocks()) {
            throw new JiomapException(Errno.ENOSPC, "need " + count + " blocks, " + md.freeBlocks() + " free");
        }
        if (alloc.busyBlocks() > 0 && alloc.plan(agHint, -1, count) == null) {
            mount.log().forceLogLocked();
        }
    }

    /**
     * Allocates {@code count} blocks near {@code goal} as TAKE items of {@code t}; forces the log first when only
     * busy blocks would do. The caller checked that {@code count} blocks are free ({@link #prepareLocked}).
     */
    public List<Allocator.Piece> allocateLocked(Transaction t, int agHint, long goal, long count)
            throws JiomapException {
        List<Allocator.Piece> plan = alloc.plan(agHint, goal, count);
        if (plan == null) {
            if (!t.isEmpty()) {
                throw new IllegalStateException("allocation needing a log force inside a started transaction");
            }
            mount.log().forceLogLocked();
            plan = alloc.plan(agHint, goal, count);
            if (plan == null) {
                throw new JiomapException(Errno.ENOSPC, "cannot allocate " + count + " blocks: "
                        + md.freeBlocks() + " free");
            }
        }
        for (Allocator.Piece p : plan) {
            t.add(new LogItem.Take(p.start(), p.length()));
        }
        return plan;
    }

    /** Free extents in all AGs: the most pieces one allocation can take. */
    public long freeExtentCountLocked() {
        long n = 0;
        for (int ag = 0; ag < mount.geometry().agCount(); ag++) {
            n += md.free(ag).extentCount();
        }
        return n;
    }

    /**
     * Drops one owner of device blocks {@code [block, block + len)}: shared pieces lose a reference, the rest is
     * freed (and busy until the free is stable).
     */
    public void releaseLocked(Transaction t, long block, long len) {
        for (RefcountIndex.Shared p : md.refcount().counts(block, len)) {
            if (p.count() >= 2) {
                t.add(new LogItem.Refcount(p.start(), p.length(), -1));
                if (p.count() == 2) {
                    alloc.markUnshared(p.start(), p.length());
                }
            } else {
                t.add(new LogItem.Give(p.start(), p.length()));
                alloc.markBusy(p.start(), p.length());
            }
        }
    }

    /** Unmaps file blocks {@code [off, off + len)} of {@code core} and drops their owners. */
    public void unmapAndReleaseLocked(Transaction t, InodeCore core, long off, long len) {
        for (Extent e : core.data().overlapping(off, len)) {
            t.add(new LogItem.Unmap(core.ino(), e.startoff(), e.blockcount()));
            releaseLocked(t, e.startblock(), e.blockcount());
        }
    }
}
