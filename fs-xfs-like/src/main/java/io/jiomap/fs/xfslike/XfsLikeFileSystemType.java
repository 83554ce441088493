package io.jiomap.fs.xfslike;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.FsSignature;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.api.fs.MountContext;
import io.jiomap.fs.xfslike.format.Geometry;
import io.jiomap.fs.xfslike.format.Superblock;
import io.jiomap.fs.xfslike.fsck.Checker;
import io.jiomap.fs.xfslike.mount.Mkfs;
import io.jiomap.fs.xfslike.mount.Superblocks;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The XFS-like filesystem type (FORMAT.md): allocation groups, extent maps with unwritten extents, reflink and
 * copy-on-write, a metadata log with recovery, CRC32C on every metadata block.
 *
 * <p>mkfs options: {@code block-size} (bytes, default 4096 and at least the device's logical block size),
 * {@code ag-count} (default 4, more on devices over 4 TiB), {@code log-size} and {@code meta-size} (bytes, with
 * an optional k/m/g suffix: the log, and each of the two checkpoint regions), {@code reflink} (on/off, default on).
 */
public final class XfsLikeFileSystemType implements FileSystemType {
    public static final String NAME = "xfs-like";
    private static final Set<String> MKFS_OPTIONS = Set.of("block-size", "ag-count", "log-size", "meta-size",
            "reflink");
    /** XFS caps an allocation group at 1 TiB. */
    private static final long MAX_AG_BYTES = 1L << 40;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "XFS-like: allocation groups, unwritten extents, reflink/CoW, metadata log with recovery";
    }

    @Override
    public void mkfs(BlockDevice device, Map<String, String> options) throws JiomapException {
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(MKFS_OPTIONS);
        if (!unknown.isEmpty()) {
            throw new JiomapException(Errno.EINVAL, "unknown xfs-like mkfs option(s) " + unknown + "; known: "
                    + new TreeSet<>(MKFS_OPTIONS));
        }
        Geometry g = geometry(device, options);
        long features = Superblock.FEATURE_POSIX;
        String reflink = options.getOrDefault("reflink", "on").toLowerCase(Locale.ROOT);
        switch (reflink) {
            case "on", "1", "true" -> features |= Superblock.FEATURE_REFLINK;
            case "off", "0", "false" -> { }
            default -> throw new JiomapException(Errno.EINVAL, "reflink=" + reflink + ": use on or off");
        }
        Mkfs.format(device, g, features, UUID.randomUUID());
    }

    static Geometry geometry(BlockDevice device, Map<String, String> options) throws JiomapException {
        int lbs = device.capabilities().logicalBlockSize();
        long capacity = device.capabilities().capacityBytes();
        long bsLong = bytes(options, "block-size", Math.max(4096, lbs));
        if (Long.bitCount(bsLong) != 1 || bsLong < 512 || bsLong > 65536 || bsLong < lbs) {
            throw new JiomapException(Errno.EINVAL, "block-size=" + bsLong + " must be a power of two from "
                    + Math.max(512, lbs) + " (the device's logical block size) to 65536");
        }
        int bs = (int) bsLong;
        long total = capacity / bs;
        long maxAgBlocks = Math.min((1L << 31) - 1, MAX_AG_BYTES / bs);
        long defaultAgs = Math.max(4, (total + maxAgBlocks - 1) / maxAgBlocks);
        long agCount = bytes(options, "ag-count", defaultAgs);
        long logBlocks = bytes(options, "log-size", Math.min(8192L, Math.max(64, total / 64)) * bs) / bs;
        long metaBlocks = bytes(options, "meta-size", Math.min(65536L, Math.max(32, total / 32)) * bs) / bs;
        if (agCount < 1 || agCount > 1 << 16) {
            throw new JiomapException(Errno.EINVAL, "ag-count=" + agCount + " must be between 1 and 65536");
        }
        long agBlocks = (total + agCount - 1) / agCount;
        if (agBlocks > maxAgBlocks) {
            throw new JiomapException(Errno.EINVAL, "ag-count=" + agCount + " makes allocation groups of "
                    + agBlocks + " blocks, over the 1 TiB limit; use more groups");
        }
        if (logBlocks < 2 || metaBlocks < 2) {
            throw new JiomapException(Errno.EINVAL, "log-size and meta-size must be at least 2 blocks of " + bs
                    + " bytes");
        }
        long ag0Needs = 1 + logBlocks + 2 * metaBlocks + 1;
        if (ag0Needs > agBlocks || (agCount - 1) * agBlocks >= total || total < 16) {
            throw new JiomapException(Errno.EINVAL, "device " + device.name() + " of " + capacity
                    + " bytes is too small for " + agCount + " allocation groups of " + agBlocks + " blocks with a "
                    + logBlocks + "-block log and two " + metaBlocks + "-block checkpoint regions in the first");
        }
        return new Geometry(bs, total, (int) agCount, agBlocks, 1, logBlocks, 1 + logBlocks,
                1 + logBlocks + metaBlocks, metaBlocks);
    }

    private static long bytes(Map<String, String> options, String key, long dflt) throws JiomapException {
        String v = options.get(key);
        if (v == null) {
            return dflt;
        }
        String t = v.trim().toLowerCase(Locale.ROOT);
        long mult = 1;
        if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
            mult = switch (t.charAt(t.length() - 1)) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                default -> 1L << 30;
            };
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(t), mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new JiomapException(Errno.EINVAL, key + "=" + v + " is not a number (k, m, g suffixes allowed)");
        }
    }

    @Override
    public FileSystem mount(BlockDevice device, MountContext context) throws JiomapException {
        if (!context.options().isEmpty()) {
            throw new JiomapException(Errno.EINVAL, "xfs-like takes no mount options, got "
                    + new TreeSet<>(context.options().keySet()));
        }
        return XfsLikeFileSystem.mount(device, context.directIo());
    }

    @Override
    public boolean probe(BlockDevice device) throws JiomapException {
        int n = Superblocks.bytes(device);
        if (device.capabilities().capacityBytes() < n) {
            return false;
        }
        byte[] b = new io.jiomap.fs.xfslike.format.Disk(device, n).readBytes(0, n);
        return Superblock.hasMagic(ByteBuffer.wrap(b));
    }

    /** The magic is the superblock's first 4 bytes; size and UUID come from it when its checksum holds. */
    @Override
    public Optional<FsSignature> signature(BlockDevice device) throws JiomapException {
        if (!probe(device)) {
            return Optional.empty();
        }
        try {
            Superblock sb = Superblocks.read(device);
            Geometry g = sb.geometry();
            return Optional.of(new FsSignature(NAME, 0, 4, g.totalBlocks() * g.blockSize(), sb.uuid().toString()));
        } catch (JiomapException e) {
            if (e.errno() != Errno.EUCLEAN) {
                throw e;
            }
            return Optional.of(new FsSignature(NAME, 0, 4, -1, ""));
        }
    }

    @Override
    public FsckReport fsck(BlockDevice device, Map<String, String> options) throws JiomapException {
        if (!options.isEmpty()) {
            throw new JiomapException(Errno.EINVAL, "xfs-like fsck takes no options, got "
                    + new TreeSet<>(options.keySet()));
        }
        Superblock sb;
        try {
            sb = Superblocks.read(device);
        } catch (JiomapException e) {
            if (e.errno() == Errno.EUCLEAN) {
                return new FsckReport(NAME, java.util.List.of(e.getMessage().substring(e.getMessage().indexOf(' ')
                        + 1)), java.util.List.of("the primary superblock could not be read; nothing more was checked"));
            }
            throw e;
        }
        return Checker.fsck(NAME, device, sb);
    }
}
