package io.jiomap.fs.ext4like.namei;

import io.jiomap.api.Errno;
import io.jiomap.fs.ext4like.disk.Extent;
import io.jiomap.fs.ext4like.disk.InodeRecord;
import io.jiomap.fs.ext4like.inode.Ext4Inode;
import io.jiomap.fs.ext4like.inode.Volume;
import io.jiomap.fs.ext4like.meta.FsError;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Symbolic-link targets (FORMAT.md section 4): shorter than 60 bytes in i_block (a fast symlink, without the
 * extents flag), else in data blocks that are journaled like directory blocks; i_size is the target's length.
 */
final class Symlinks {
    private Symlinks() {
    }

    static boolean fast(byte[] target) {
        return target.length <= InodeRecord.FAST_SYMLINK_MAX;
    }

    /** Data blocks the target needs (0 for a fast symlink or no target). */
    static long blocks(Volume vol, byte[] target) {
        return target == null || fast(target) ? 0 : (target.length + vol.blockSize() - 1) / vol.blockSize();
    }

    /** Extra journal credits of writing the target. */
    static int credits(Volume vol, byte[] target) {
        return (int) (2 * blocks(vol, target));
    }

    /** Stores the target of a new symbolic link (metadata lock held, in a handle). */
    static void writeLocked(Volume vol, Ext4Inode in, byte[] target) {
        InodeRecord rec = in.record();
        if (fast(target)) {
            rec.flags &= ~InodeRecord.EXTENTS_FL;
            Arrays.fill(rec.iBlock, (byte) 0);
            System.arraycopy(target, 0, rec.iBlock, 0, target.length);
        } else {
            int bs = vol.blockSize();
            long n = blocks(vol, target);
            for (long at = 0; at < n; ) {
                Extent got = in.allocateLocked(at, (int) (n - at), false);
                for (long k = 0; k < got.length(); k++) {
                    long phys = got.physical() + k;
                    byte[] b = vol.cache().fresh(phys);
                    Arrays.fill(b, (byte) 0);
                    int from = (int) ((at + k) * bs);
                    System.arraycopy(target, from, b, 0, Math.min(bs, target.length - from));
                    vol.journal().dirtyLocked(phys);
                }
                at = got.end();
            }
        }
        in.setSizeLocked(target.length);
    }

    static String read(Volume vol, Ext4Inode in) {
        InodeRecord rec = in.record();
        int size = (int) in.size();
        if (!rec.hasExtents()) {
            return new String(rec.iBlock, 0, size, StandardCharsets.UTF_8);
        }
        int bs = vol.blockSize();
        byte[] out = new byte[size];
        vol.journal().metaLock().lock();
        try {
            for (int at = 0; at < size; at += bs) {
                long phys = in.writtenBlockAt(at / bs);
                if (phys < 0) {
                    throw new FsError(Errno.EUCLEAN, "symbolic link inode " + in.ino() + " has no block " + at / bs);
                }
                System.arraycopy(vol.cache().get(phys), 0, out, at, Math.min(bs, size - at));
            }
        } finally {
            vol.journal().metaLock().unlock();
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
