package io.jiomap.fs.ext4like;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.FsSignature;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.api.fs.MountContext;
import io.jiomap.fs.ext4like.check.Fsck;
import io.jiomap.fs.ext4like.mount.Ext4FileSystem;
import io.jiomap.fs.ext4like.disk.FormatException;
import io.jiomap.fs.ext4like.disk.Superblock;
import io.jiomap.fs.ext4like.meta.BlockCache;
import io.jiomap.fs.ext4like.meta.FsError;
import java.util.Map;
import java.util.Optional;

/**
 * The ext4-like filesystem (FORMAT.md): block groups, extent trees, a jbd2-like journal in ordered mode and the
 * orphan list, with ext4's direct-I/O mapping and locking. Swapping it with xfs-like shows the differences
 * docs/filesystems.md, "ext4-like" describes: extending writes complete in the waiter (FORCE_WAIT), holes past EOF are
 * allocated written and hidden by the orphan list, fdatasync commits a journal transaction, and there is no reflink
 * (EOPNOTSUPP).
 */
public final class Ext4LikeFileSystemType implements FileSystemType {
    public static final String NAME = "ext4-like";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "ext4-like: block groups, extent trees, jbd2-like metadata journal (ordered), orphan list; "
                + "ext4's DIO mapping (unwritten inside EOF, written + orphan past EOF)";
    }

    /** Options: block-size, blocks-per-group, inode-ratio, journal-size (blocks). */
    @Override
    public void mkfs(BlockDevice device, Map<String, String> options) throws JiomapException {
        Mkfs.run(device, options);
    }

    @Override
    public FileSystem mount(BlockDevice device, MountContext context) throws JiomapException {
        if (!context.options().isEmpty()) {
            throw new JiomapException(Errno.EINVAL, "the ext4-like filesystem takes no mount options, got "
                    + context.options().keySet());
        }
        return Ext4FileSystem.mount(NAME, device, context.directIo());
    }

    @Override
    public boolean probe(BlockDevice device) throws JiomapException {
        if (device.capabilities().capacityBytes() < Superblock.OFFSET + Superblock.SIZE) {
            return false;
        }
        byte[] b = new byte[Superblock.SIZE];
        try {
            BlockCache.readRaw(device, Superblock.OFFSET, b);
        } catch (FsError e) {
            throw e.toException();
        }
        return Superblock.hasMagic(b, 0);
    }

    /**
     * The magic is the superblock's 2-byte 0xEF53 at byte 1080, as in ext4 (the jiomap signature after it only tells
     * the two apart); the size comes from the superblock when its checksum holds. The format has no UUID.
     */
    @Override
    public Optional<FsSignature> signature(BlockDevice device) throws JiomapException {
        if (!probe(device)) {
            return Optional.empty();
        }
        byte[] b = new byte[Superblock.SIZE];
        try {
            BlockCache.readRaw(device, Superblock.OFFSET, b);
        } catch (FsError e) {
            throw e.toException();
        }
        long size = -1;
        try {
            Superblock sb = Superblock.decode(b, 0, device.capabilities().capacityBytes(), device.name());
            size = sb.blocksCount * sb.blockSize;
        } catch (FormatException e) {
            // A damaged superblock still carries the magic: the signature stands, its size is unknown.
        }
        return Optional.of(new FsSignature(NAME, Superblock.OFFSET + Superblock.MAGIC_OFFSET, 2, size, ""));
    }

    @Override
    public FsckReport fsck(BlockDevice device, Map<String, String> options) throws JiomapException {
        if (!options.isEmpty()) {
            throw new JiomapException(Errno.EINVAL, "the ext4-like fsck takes no options, got " + options.keySet());
        }
        if (!probe(device)) {
            throw new JiomapException(Errno.EINVAL, device.name() + " does not hold an ext4-like filesystem");
        }
        try {
            return new Fsck(device, NAME).run();
        } catch (FsError e) {
            throw e.toException();
        }
    }
}
