package io.jiomap.fs.xfslike.alloc;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.fs.xfslike.checkpoint.Checkpoint;
import io.jiomap.fs.xfslike.format.Geometry;
import io.jiomap.fs.xfslike.format.InodeRecords;
import io.jiomap.fs.xfslike.format.MetaBlock;
import io.jiomap.fs.xfslike.mount.MountState;

/**
 * Room in the checkpoint region (the kernel's transaction reservations, {@code xfs_trans_reserve}): a change checks
 * before its first log item that the metadata will still fit a checkpoint region afterwards, counting the room
 * every end_io in flight may still need, so writing metadata home never fails for lack of space.
 */
public final class Reservations {
    /** Bytes of checkpoint room one in-flight end_io may need (a conversion splits one record into three). */
    static final int END_IO_RESERVE_BYTES = 128;

    private final MountState mount;
    private long endIoReservations;

    public Reservations(MountState mount) {
        this.mount = mount;
    }

    /**
     * Checks that the checkpoint region can hold the metadata after a change adding up to {@code records}
     * records, with room kept for every end_io in flight; ENOSPC otherwise.
     */
    public void reserveMetadataLocked(long records) throws JiomapException {
        Geometry geo = mount.geometry();
        int per = geo.blockSize() - MetaBlock.HEADER;
        long extra = (records * 32 + endIoReservations * END_IO_RESERVE_BYTES + per - 1) / per + 2;
        long need = Checkpoint.blocksNeeded(mount.metadata()) + extra;
        if (need > geo.metaBlocks()) {
            throw new JiomapException(Errno.ENOSPC, "metadata checkpoint region is full: " + need + " of "
                    + geo.metaBlocks() + " blocks needed (mkfs with a larger meta-size)");
        }
    }

    /**
     * Reserves the metadata room of one end_io in flight. The request that took it remembers so (its iteration
     * object's private slot) and gives it back once with {@link #releaseEndIo}.
     */
    public void reserveEndIoLocked() throws JiomapException {
        reserveMetadataLocked(8);
        endIoReservations++;
    }

    /** Gives back one {@link #reserveEndIoLocked} reservation; takes the metadata lock. */
    public void releaseEndIo() {
        mount.lockMetadata();
        try {
            endIoReservations--;
        } finally {
            mount.unlockMetadata();
        }
    }

    /** Inodes that still fit the checkpoint region (statfs's free inodes). */
    public long freeInodesLocked() {
        Geometry geo = mount.geometry();
        int per = geo.blockSize() - MetaBlock.HEADER;
        long roomBlocks = Math.max(0, geo.metaBlocks() - Checkpoint.blocksNeeded(mount.metadata()) - 2);
        // An inode costs its record and, for a name, a short directory entry.
        return roomBlocks * (per / (InodeRecords.INODE_FIXED + InodeRecords.ENTRY_FIXED + 12));
    }
}
