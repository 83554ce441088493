package io.jiomap.fs.xfslike.mount;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.Timestamps;
import io.jiomap.fs.xfslike.checkpoint.Checkpoint;
import io.jiomap.fs.xfslike.format.Disk;
import io.jiomap.fs.xfslike.format.Geometry;
import io.jiomap.fs.xfslike.format.Superblock;
import io.jiomap.fs.xfslike.log.LogItem;
import io.jiomap.fs.xfslike.log.Transaction;
import io.jiomap.fs.xfslike.meta.Metadata;
import java.util.UUID;

/** Writes a fresh filesystem. */
public final class Mkfs {
    private Mkfs() {
    }

    /** Always with {@link Superblock#FEATURE_POSIX}. A zeroed log, checkpoint generation 1 (holding the root directory) in region A, then the superblocks. */
    public static void format(BlockDevice device, Geometry g, long features, UUID uuid) throws JiomapException {
        Disk disk = new Disk(device, g.blockSize());
        Metadata md = Metadata.empty(g);
        long root = md.chooseIno(0);
        Transaction t = new Transaction(md);
        t.add(new LogItem.Create(root, FileKind.DIRECTORY, 0755, 0, 0, md.nextGeneration(), Timestamps.now(), null));
        md.setRootIno(root);
        disk.zero(g.logStart(), g.logBlocks());
        byte[] home = Checkpoint.encode(md, uuid, 1, 0);
        disk.write(g.metaStart0(), home, 0);
        Superblock sb = new Superblock(g, uuid, features | Superblock.FEATURE_POSIX, 1, 0, home.length / g.blockSize(), 0, 1, true);
        for (int ag = g.agCount() - 1; ag >= 0; ag--) {
            Superblocks.write(disk, sb, g.agStart(ag), ag == 0 ? Bio.PREFLUSH | Bio.FUA : 0);
        }
    }
}
