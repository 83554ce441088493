package io.jiomap.fs.xfslike.mount;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.fs.xfslike.checkpoint.Checkpoint;
import io.jiomap.fs.xfslike.format.Disk;
import io.jiomap.fs.xfslike.format.Geometry;
import io.jiomap.fs.xfslike.format.Superblock;
import io.jiomap.fs.xfslike.log.Log;
import io.jiomap.fs.xfslike.log.LogItem;
import io.jiomap.fs.xfslike.log.Transaction;
import io.jiomap.fs.xfslike.meta.Allocator;
import io.jiomap.fs.xfslike.meta.InodeCore;
import io.jiomap.fs.xfslike.meta.Metadata;

/**
 * How metadata changes become stable (the kernel's {@code xfs_log.c} and {@code xfs_log_cil.c} as used by the
 * filesystem): transactions commit to the log's CIL, a log force writes the CIL as a log checkpoint, and metadata
 * goes home to a checkpoint region when the log fills, at sync-free moments chosen by the log, and at unmount
 * (FORMAT.md, "Log").
 */
public final class MetadataLog {
    private final BlockDevice device;
    private final Disk disk;
    private final Geometry geo;
    private final Metadata md;
    private final Allocator alloc;
    private final Log log;
    private volatile Superblock sb;

    MetadataLog(BlockDevice device, Disk disk, Metadata md, Allocator alloc, Log log, Superblock sb) {
        this.device = device;
        this.disk = disk;
        this.geo = sb.geometry();
        this.md = md;
        this.alloc = alloc;
        this.log = log;
        this.sb = sb;
    }

    /** The superblock last written (its features never change while mounted). */
    public Superblock superblock() {
        return sb;
    }

    /**
     * Writes all metadata to the inactive checkpoint region, then the superblock naming it (PREFLUSH so the region
     * is stable first, FUA so the switch is): after that the CIL is stable and the log starts a new epoch.
     */
    public void writeHomeLocked(boolean clean) throws JiomapException {
        long gen = sb.generation() + 1;
        int slot = 1 - sb.activeSlot();
        byte[] home = Checkpoint.encode(md, sb.uuid(), gen, log.lastCommitted());
        long blocks = home.length / geo.blockSize();
        if (blocks > geo.metaBlocks()) {
            // Reservations keep this from happening; if it does, nothing was changed on disk.
            throw new JiomapException(Errno.ENOSPC, "metadata checkpoint of " + blocks + " blocks does not fit the "
                    + geo.metaBlocks() + "-block checkpoint region");
        }
        disk.write(geo.metaStart(slot), home, 0);
        Superblock next = sb.withCheckpoint(gen, slot, blocks, log.head(), log.nextCheckpointSeq(), clean);
        Superblocks.write(disk, next, 0, Bio.PREFLUSH | Bio.FUA);
        sb = next;
        log.reset(gen, log.head(), log.nextCheckpointSeq());
        log.checkpointed();
        alloc.clearBusy();
    }

    /** Makes every committed transaction stable (xfs_log_force). */
    public void forceLogLocked() throws JiomapException {
        if (log.cilEmpty()) {
            return;
        }
        if (log.force() == Log.NO_ROOM) {
            writeHomeLocked(false);
        }
        alloc.clearBusy();
    }

    /** Commits a transaction to the CIL and records which inodes it pinned; returns its sequence. */
    public long commitLocked(Transaction t) {
        if (t.isEmpty()) {
            return log.lastCommitted();
        }
        long seq = log.commit(t);
        for (LogItem item : t.items()) {
            long ino = item.ino();
            InodeCore c = ino >= 0 ? md.inode(ino) : null;
            if (c != null) {
                c.anySeq = seq;
                if (item instanceof LogItem.Core) {
                    c.timesDirty = false;
                }
                if (!(item instanceof LogItem.Core core && core.timestampsOnly())) {
                    c.dataSeq = seq;
                }
            }
        }
        return seq;
    }

    /**
     * A log force when the CIL has grown past an eighth of the log (XFS pushes the CIL at a fraction of the log
     * size), from a context that may do I/O.
     */
    public void pushIfLargeLocked() throws JiomapException {
        if (log.cilBlocks() * 8 > geo.logBlocks()) {
            forceLogLocked();
        }
    }

    /**
     * fsync/fdatasync: forces the log up to the inode's last relevant transaction; if nothing needed forcing, an
     * explicit cache flush makes the data itself stable (docs/design-rules.md, "Rule 5").
     */
    public void fsyncLocked(InodeCore core, boolean datasync) throws JiomapException {
        long need = datasync ? core.dataSeq : core.anySeq;
        if (need > log.stable()) {
            forceLogLocked();
        } else if (device.capabilities().volatileWriteCache()) {
            disk.flush();
        }
    }

    /** sync: forces the log, or with nothing to force flushes the device cache. */
    public void syncLocked() throws JiomapException {
        if (log.cilEmpty()) {
            if (device.capabilities().volatileWriteCache()) {
                disk.flush();
            }
        } else {
            forceLogLocked();
        }
    }

    /** Whether the inode has metadata in the CIL that reading its data back depends on (IOMAP_F_DIRTY). */
    public boolean dataDirtyLocked(InodeCore core) {
        return core.dataSeq > log.stable();
    }
}
