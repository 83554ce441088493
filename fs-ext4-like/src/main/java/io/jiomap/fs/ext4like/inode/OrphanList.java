package io.jiomap.fs.ext4like.inode;

import io.jiomap.fs.ext4like.disk.FormatException;
import io.jiomap.fs.ext4like.disk.Superblock;
import io.jiomap.fs.ext4like.meta.FsError;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The orphan list (the kernel's orphan.c, docs/filesystems.md, "ext4-like orphan list and extending writes"): inodes
 * with blocks past i_size that a crash must trim (an extending write in flight, a truncate in progress) and inodes with
 * no names left that a crash must free. The chain starts in the superblock and runs through the inodes' records.
 */
public final class OrphanList {
    /** Credits of an orphan-list change: the superblock, the inode and its predecessor's inode-table blocks. */
    public static final int CREDITS = 4;

    private final Volume vol;
    private final Superblock sb;
    private final LinkedHashSet<Long> orphans = new LinkedHashSet<>();

    OrphanList(Volume vol) {
        this.vol = vol;
        this.sb = vol.superblock();
    }

    public boolean containsLocked(Ext4Inode in) {
        return orphans.contains(in.ino());
    }

    public void addLocked(Ext4Inode in) {
        if (!orphans.add(in.ino())) {
            return;
        }
        in.rec.nextOrphan = sb.lastOrphan;
        sb.lastOrphan = in.ino();
        in.persistLocked(false);
        writeSuperblockLocked();
    }

    /**
     * Takes the inode off the orphan list once the work it was put there for is done (an extending write's end_io,
     * a finished truncate), unless no name refers to it any more: such an inode stays on the list until
     * {@link InodeTable#evict} frees it, or a crash between that work's commit and the deletion's would leave an
     * inode that nothing refers to and nothing frees (the drain in unlink runs end_io just before the deletion).
     */
    public void removeLocked(Ext4Inode in) {
        if (in.rec.links == 0) {
            return;
        }
        dropLocked(in);
    }

    /** Takes the inode off the orphan list, whatever its link count. */
    void dropLocked(Ext4Inode in) {
        if (!orphans.remove(in.ino())) {
            return;
        }
        if (sb.lastOrphan == in.ino()) {
            sb.lastOrphan = in.rec.nextOrphan;
            writeSuperblockLocked();
        } else {
            long at = sb.lastOrphan;
            while (at != 0) {
                Ext4Inode prev = vol.inodes().cachedLocked(at);
                if (prev.rec.nextOrphan == in.ino()) {
                    prev.rec.nextOrphan = in.rec.nextOrphan;
                    prev.persistLocked(false);
                    break;
                }
                at = prev.rec.nextOrphan;
            }
        }
        in.rec.nextOrphan = 0;
        in.persistLocked(false);
    }

    private void writeSuperblockLocked() {
        long block = sb.superblockBlock(0);
        sb.groupNr = 0;
        sb.encode(vol.cache().get(block), sb.offsetInBlock(0));
        vol.journal().dirtyLocked(block);
    }

    /**
     * Orphan processing at mount (ext4_orphan_cleanup): trims blocks past i_size, frees inodes with no names left,
     * and commits.
     *
     * @throws FormatException when the chain leads to an inode that cannot be an orphan
     */
    public void cleanupAtMount() throws FormatException {
        List<Ext4Inode> list = new ArrayList<>();
        long at = sb.lastOrphan;
        while (at != 0) {
            if (at < Superblock.FIRST_INO || at > sb.inodesCount || list.size() > sb.inodesCount) {
                throw new FormatException("orphan list: inode " + at + " is not a valid orphan");
            }
            Ext4Inode in = vol.inodes().get(at);
            orphans.add(at);
            list.add(in);
            at = in.rec.nextOrphan;
        }
        for (Ext4Inode in : list) {
            if (in.rec.links == 0) {
                vol.inodes().evict(in);
            } else {
                in.space().trimPastEof();
            }
        }
        if (!list.isEmpty()) {
            int r = vol.journal().commit();
            if (r < 0) {
                throw new FsError(-r, "committing orphan processing");
            }
        }
    }
}
