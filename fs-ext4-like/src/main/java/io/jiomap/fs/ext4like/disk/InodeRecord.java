package io.jiomap.fs.ext4like.disk;

import java.util.Arrays;

/** One 256-byte on-disk inode (FORMAT.md section 4). */
public final class InodeRecord {
    public static final int MODE_REG = 0x8000;
    public static final int MODE_DIR = 0x4000;
    public static final int MODE_LNK = 0xA000;
    public static final int TYPE_MASK = 0xF000;
    public static final int PERM_MASK = 07777;
    public static final int EXTENTS_FL = 0x80000;
    public static final int I_BLOCK = 32;
    public static final int I_BLOCK_SIZE = 60;
    /** A symbolic link whose target is shorter than this lives in i_block (a fast symlink, as in ext4). */
    public static final int FAST_SYMLINK_MAX = I_BLOCK_SIZE - 1;

    public int mode;
    public int links;
    public long flags;
    public long size;
    public long blocks;
    /** Next inode on the orphan list (ext4 reuses i_dtime for it), 0 at the end. */
    public long nextOrphan;
    public long generation;
    public final byte[] iBlock = new byte[I_BLOCK_SIZE];
    public long uid;
    public long gid;
    /** Times in nanoseconds since the epoch (signed 64-bit). */
    public long atime;
    public long mtime;
    public long ctime;
    /** The inode's extended-attribute block (ext4's i_file_acl), 0 for none. */
    public long xattrBlock;

    public int type() {
        return mode & TYPE_MASK;
    }

    public boolean isDir() {
        return type() == MODE_DIR;
    }

    public boolean isSymlink() {
        return type() == MODE_LNK;
    }

    /** Whether i_block holds an extent tree (everything but a fast symlink). */
    public boolean hasExtents() {
        return (flags & EXTENTS_FL) != 0;
    }

    public boolean inUse() {
        return mode != 0;
    }

    public void encode(long ino, byte[] b, int off) {
        Arrays.fill(b, off, off + Superblock.INODE_SIZE, (byte) 0);
        if (mode == 0) {
            return;
        }
        Bytes.u16(b, off, mode);
        Bytes.u16(b, off + 2, links);
        Bytes.u32(b, off + 4, flags);
        Bytes.u64(b, off + 8, size);
        Bytes.u64(b, off + 16, blocks);
        Bytes.u32(b, off + 24, nextOrphan);
        Bytes.u32(b, off + 28, generation);
        System.arraycopy(iBlock, 0, b, off + I_BLOCK, I_BLOCK_SIZE);
        Bytes.u32(b, off + 92, uid);
        Bytes.u32(b, off + 96, gid);
        Bytes.u64(b, off + 100, atime);
        Bytes.u64(b, off + 108, mtime);
        Bytes.u64(b, off + 116, ctime);
        Bytes.u32(b, off + 124, xattrBlock);
        Bytes.u32(b, off + 252, checksum(ino, b, off));
    }

    public static long checksum(long ino, byte[] b, int off) {
        return Bytes.crc(ino, b, off, 252) & 0xFFFFFFFFL;
    }

    /** Decodes an inode; a free (all-zero) slot decodes with mode 0. @throws FormatException on a bad checksum */
    public static InodeRecord decode(long ino, byte[] b, int off, String where) throws FormatException {
        InodeRecord r = new InodeRecord();
        r.mode = Bytes.u16(b, off);
        if (r.mode == 0) {
            return r;
        }
        long stored = Bytes.u32(b, off + 252);
        if (stored != checksum(ino, b, off)) {
            throw new FormatException(where + ": inode " + ino + " checksum 0x" + Long.toHexString(stored)
                    + " does not match its contents");
        }
        r.links = Bytes.u16(b, off + 2);
        r.flags = Bytes.u32(b, off + 4);
        r.size = Bytes.u64(b, off + 8);
        r.blocks = Bytes.u64(b, off + 16);
        r.nextOrphan = Bytes.u32(b, off + 24);
        r.generation = Bytes.u32(b, off + 28);
        System.arraycopy(b, off + I_BLOCK, r.iBlock, 0, I_BLOCK_SIZE);
        r.uid = Bytes.u32(b, off + 92);
        r.gid = Bytes.u32(b, off + 96);
        r.atime = Bytes.u64(b, off + 100);
        r.mtime = Bytes.u64(b, off + 108);
        r.ctime = Bytes.u64(b, off + 116);
        r.xattrBlock = Bytes.u32(b, off + 124);
        int t = r.type();
        if (t != MODE_DIR && t != MODE_REG && t != MODE_LNK) {
            throw new FormatException(where + ": inode " + ino + " has unknown file type 0x" + Integer.toHexString(t));
        }
        if (!r.hasExtents() && !r.isSymlink()) {
            throw new FormatException(where + ": inode " + ino + " lacks the extents flag (only a fast symbolic"
                    + " link keeps something else in i_block)");
        }
        return r;
    }
}
